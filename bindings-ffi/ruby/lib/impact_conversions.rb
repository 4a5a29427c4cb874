# frozen_string_literal: true

# impact.com server-side conversion tracking for Ruby, on the project's Rust core through
# uniffi-generated bindings (lib/impact_conversions/impact_conversions_native.rb: generated
# by `make ruby-bindings`, committed, never edited by hand).
# This file only translates: Ruby values -> JSON for the core, JSON results -> small frozen
# structs, core errors -> one exception class per stable error code.
require "json"
require "bigdecimal"
require "time"
require "logger"
require "ffi"

module ImpactConversions
  # Where the shared library is: IMPACT_CONVERSIONS_LIB, else the repository's target/
  # (release first). The generated code loads it by this path.
  def self.library_path
    env = ENV.fetch("IMPACT_CONVERSIONS_LIB", "")
    return env unless env.empty?

    root = File.expand_path("../../..", __dir__)
    %w[release debug].map { |p| File.join(root, "target", p, "libimpact_conversions.so") }
                     .find { |p| File.exist?(p) } || "libimpact_conversions.so"
  end

  # Loaded here by path, globally: the generated code then asks for it by name and the
  # dynamic loader answers with this copy (the library's soname is libimpact_conversions.so).
  LIBRARY = FFI::DynamicLibrary.open(library_path, FFI::DynamicLibrary::RTLD_LAZY | FFI::DynamicLibrary::RTLD_GLOBAL)
end

# The generated file's indentation and the re-attach below would warn under `ruby -w`.
verbose = $VERBOSE
$VERBOSE = nil
require_relative "impact_conversions/impact_conversions_native"

module ImpactConversionsNative
  # A client call waits for the network without the GVL, so other Ruby threads (Puma) run
  # meanwhile: the generated function is attached again with ruby-ffi's `blocking: true`
  # (the Rust side never calls back into Ruby; events are queued and drained afterwards).
  module UniFFILib
    attach_function :uniffi_impact_conversions_fn_method_client_call,
                    [:uint64, RustBuffer.by_value, RustBuffer.by_value, RustCallStatus.by_ref],
                    RustBuffer.by_value, blocking: true
  end
end
$VERBOSE = verbose

module ImpactConversions
  # ---- errors --------------------------------------------------------------------------

  # Every error this library raises. `code` is the core's stable code (the same in every
  # language); `issues` lists every validation problem; `reset_at` is a Time (rate limits).
  class Error < StandardError
    attr_reader :code, :issues, :status, :attempts, :reset_at, :api_errors

    def initialize(data)
      super(data["message"].to_s)
      @code = data["code"].to_s
      @issues = Array(data["issues"]).map { |i| Issue.from(i) }.freeze
      @status = data["status"]
      @attempts = data["attempts"]
      @reset_at = data["reset_at"] && Time.at(data["reset_at"]).utc
      @api_errors = Array(data["api_errors"]).map { |e| ApiFieldError.new(field: e["field"], message: e["message"]).freeze }.freeze
    end

    # Whether sending the same request again later could succeed.
    def retryable?
      %w[rate_limited transport timeout].include?(code)
    end
  end

  class ValidationError < Error; end
  class ConfigError < Error; end
  class AuthError < Error; end
  class ApiError < Error; end
  class RateLimitedError < Error; end
  class TransportError < Error; end
  class TimeoutError < Error; end
  class UnconfirmedError < Error; end
  class InternalError < Error; end

  ERRORS = {
    "validation" => ValidationError, "config" => ConfigError, "auth" => AuthError,
    "api" => ApiError, "rate_limited" => RateLimitedError, "transport" => TransportError,
    "timeout" => TimeoutError, "unconfirmed" => UnconfirmedError, "internal" => InternalError
  }.freeze

  # The exception for a core error's JSON.
  def self.error_from(data)
    ERRORS.fetch(data["code"], Error).new(data)
  end

  # ---- values --------------------------------------------------------------------------

  Issue = Struct.new(:code, :path, :field, :message, keyword_init: true) do
    def self.from(h) = new(code: h["code"], path: h["path"], field: h["field"], message: h["message"]).freeze
  end
  ApiFieldError = Struct.new(:field, :message, keyword_init: true)
  ValidationReport = Struct.new(:errors, :warnings, keyword_init: true) do
    def valid? = errors.empty?
  end
  Receipt = Struct.new(:status, :queued_uri, :submission_id, :attempts, :elapsed_ms, :warnings, keyword_init: true) do
    def self.from(h)
      new(status: h["status"], queued_uri: h["queued_uri"], submission_id: h["submission_id"],
          attempts: h["attempts"], elapsed_ms: h["elapsed_ms"],
          warnings: h["warnings"].map { |i| Issue.from(i) }.freeze).freeze
    end
  end
  SubmissionStatus = Struct.new(:submission_id, :status, :complete, :error_type, :error_reason, :raw, keyword_init: true) do
    def self.from(h)
      new(submission_id: h["submission_id"], status: h["status"], complete: h["complete"],
          error_type: h["error_type"], error_reason: h["error_reason"], raw: h["raw"]).freeze
    end

    def complete? = complete
    # Processed, but impact.com did not record the conversion (`error_type` says why).
    def failed? = !error_type.nil? || !error_reason.nil?
  end
  ItemShare = Struct.new(:index, :sku, :sub_total, :share, :net, keyword_init: true)
  DiscountAllocation = Struct.new(:currency, :order_discount, :items, keyword_init: true)

  # Ruby values -> the core's JSON. Money as BigDecimal is sent as its exact digits; a Float
  # goes through its shortest representation (Float#to_s), so 0.1 + 0.2 is refused by the
  # core, never rounded. Time/DateTime keep their offset (RFC 3339).
  module Json
    module_function

    def dump(value) = JSON.generate(plain(value))

    def plain(value)
      case value
      when Hash then value.to_h { |k, v| [k.to_s, plain(v)] }
      when Array then value.map { |v| plain(v) }
      when BigDecimal then value.to_s("F").sub(/\.0\z/, "")
      when Time then value.subsec.zero? ? value.iso8601 : value.iso8601(6)
      when DateTime then plain(value.to_time)
      when Date then value.iso8601 # no offset: the core refuses it with a clear message
      when Symbol then value.to_s
      else value
      end
    end
  end

  # Runs a generated function; its error becomes our exception for the code, and a Rust
  # panic (uniffi's own InternalError) our InternalError.
  def self.native
    yield
  rescue ImpactConversionsNative::ImpactFailure::Failed => e
    raise error_from(JSON.parse(e.json))
  rescue ImpactConversionsNative::InternalError => e
    raise InternalError.new("code" => "internal", "message" => "a bug in impact-conversions: #{e.message}")
  end

  # ---- conversions ---------------------------------------------------------------------

  # Every problem at once: a ValidationReport (errors and warnings are Issue structs).
  def self.validate(conversion = nil, **fields)
    report = JSON.parse(native { ImpactConversionsNative.validate(Json.dump(conversion || fields)) })
    ValidationReport.new(errors: report["errors"].map { |i| Issue.from(i) }.freeze,
                         warnings: report["warnings"].map { |i| Issue.from(i) }.freeze).freeze
  end

  # The exact form body impact.com receives; raises ValidationError when invalid.
  def self.encode(conversion = nil, **fields)
    native { ImpactConversionsNative.encode(Json.dump(conversion || fields)) }
  end

  # How impact.com spreads the order discount over the items (exact decimal strings).
  def self.allocate_discount(conversion = nil, **fields)
    a = JSON.parse(native { ImpactConversionsNative.allocate_discount(Json.dump(conversion || fields)) })
    items = a["items"].map do |i|
      ItemShare.new(index: i["index"], sku: i["sku"], sub_total: i["sub_total"], share: i["share"], net: i["net"]).freeze
    end
    DiscountAllocation.new(currency: a["currency"], order_discount: a["order_discount"], items: items.freeze).freeze
  end

  def self.core_version = ImpactConversionsNative.core_version
end

require_relative "impact_conversions/client"
require_relative "impact_conversions/click_id"
