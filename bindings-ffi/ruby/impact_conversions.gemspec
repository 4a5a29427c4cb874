# frozen_string_literal: true

Gem::Specification.new do |s|
  s.name = "impact_conversions"
  s.version = "0.1.0"
  s.summary = "impact.com server-side conversion tracking on the impact-conversions Rust core (uniffi)"
  s.description = "Typed conversions, validation, click-id capture (Rack middleware) and a retrying client. " \
                  "Needs libimpact_conversions.so (cargo build --release -p impact-conversions-ffi)."
  s.license = "MIT OR Apache-2.0"
  s.authors = ["impact-conversions"]
  s.files = Dir["lib/**/*.rb"] + ["README.md"]
  s.required_ruby_version = ">= 3.1"
  s.add_dependency "ffi", ">= 1.15"
end
