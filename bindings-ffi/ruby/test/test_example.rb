# frozen_string_literal: true

require_relative "helper"
require "open3"

# The README's Ruby checkout is examples/checkout.rb, verbatim, and it runs on the emulator.
class TestExample < Minitest::Test
  EXAMPLE = File.join(ROOT, "bindings-ffi", "ruby", "examples", "checkout.rb")

  # Minitest runs the classes in random order: a fault script another test left unconsumed
  # (the deadline test stops early) must not reach the example.
  def setup = Sandbox.reset

  def test_the_readme_shows_the_example_verbatim
    readme = File.read(File.join(ROOT, "README.md"))
    assert_includes readme, "```ruby\n#{File.read(EXAMPLE)}```\n"
  end

  def test_the_example_runs_against_the_emulator
    env = { "IMPACT_ACCOUNT_SID" => ACCOUNT_SID, "IMPACT_AUTH_TOKEN" => AUTH_TOKEN, "IMPACT_BASE_URL" => Sandbox.url }
    out, err, status = Open3.capture3(env, RbConfig.ruby, "-I", File.join(ROOT, "bindings-ffi", "ruby", "lib"), EXAMPLE)
    assert status.success?, err
    assert_match(/queued RB-\d+-\d+ as \S+ after 1 attempt\(s\)/, out)
    assert_match(/recorded: Complete/, out)
    assert_match(/INFO .*impact success/, out)
    refute_includes out + err, AUTH_TOKEN
  end
end
