# frozen_string_literal: true

# Minitest helpers: the shared vectors and the emulator (started by
# bindings-ffi/tests/with-sandbox.sh, its URL in IMPACT_SANDBOX_URL).
$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
require "minitest/autorun"
require "net/http"
require "impact_conversions"

ROOT = File.expand_path("../../..", __dir__)
ACCOUNT_SID = "IRSANDBOX00000000000000000000001"
AUTH_TOKEN = "sandbox-auth-token"

def vectors(kind)
  files = Dir[File.join(ROOT, "tests", "vectors", kind, "*.json")].sort
  raise "only #{files.size} vectors in #{kind}" if files.size < 40

  files.map { |f| [File.basename(f), JSON.parse(File.read(f))] }
end

module Sandbox
  module_function

  def url = ENV.fetch("IMPACT_SANDBOX_URL") { raise "run under bindings-ffi/tests/with-sandbox.sh" }

  def control(method, path, body = nil)
    uri = URI("#{url}/_sandbox/#{path}")
    req = method == :post ? Net::HTTP::Post.new(uri) : Net::HTTP::Get.new(uri)
    if method == :post
      req["content-type"] = "application/json"
      req.body = JSON.generate(body || {})
    end
    res = Net::HTTP.start(uri.host, uri.port) { |h| h.request(req) }
    raise "#{path}: #{res.code} #{res.body}" unless res.is_a?(Net::HTTPSuccess)

    res.body.to_s.empty? ? nil : JSON.parse(res.body)
  end

  def reset = control(:post, "reset")
  def script(*responses) = control(:post, "script", { "responses" => responses })
  def orders = control(:get, "orders")
  def requests = control(:get, "requests").select { |r| r["path"].include?("/Advertisers/") }
  def config(settings) = control(:post, "config", settings)
end
