# frozen_string_literal: true

require_relative "helper"

# The Rack middleware over a real Rack-style app: cookie set on landing, read on return,
# consent denied, the exact Set-Cookie strings.
class TestClickId < Minitest::Test
  APP = ->(env) { [200, { "content-type" => "text/plain" }, [env["impact.click_id"].to_s]] }

  def env(path, cookie: nil, host: "www.shop.example", consent: nil)
    { "rack.url_scheme" => "https", "HTTP_HOST" => host, "REQUEST_URI" => path, "PATH_INFO" => path.split("?").first,
      "QUERY_STRING" => path.split("?")[1].to_s, "HTTP_COOKIE" => cookie, "HTTP_X_CONSENT" => consent }.compact
  end

  def middleware(**opts)
    ImpactConversions::ClickId::Middleware.new(APP, consent: ->(e) { e["HTTP_X_CONSENT"] || "granted" }, **opts)
  end

  def test_landing_sets_the_exact_cookie_and_return_reads_it
    _, headers, body = middleware.call(env("/landing?irclickid=Wbv3sJ2a1xyz&x=1"))
    assert_equal ["Wbv3sJ2a1xyz"], body
    cookie = headers["set-cookie"]
    assert_match(/\Aimpact_irclickid=1\.\d+\.Wbv3sJ2a1xyz; Max-Age=2592000; Domain=shop\.example; Path=\/; Secure; HttpOnly; SameSite=Lax\z/, cookie)
    expected = ImpactConversions::ClickId.capture(host: "www.shop.example", url: "/landing?irclickid=Wbv3sJ2a1xyz&x=1",
                                                  consent: "granted", now: Time.now)
    assert_equal expected.set_cookie.first.sub(/\.\d+\./, "."), cookie.sub(/\.\d+\./, ".")

    _, headers, body = middleware.call(env("/checkout", cookie: "other=1; #{cookie.split(';').first}"))
    assert_equal ["Wbv3sJ2a1xyz"], body
    assert_nil headers["set-cookie"], "nothing rewritten on return"
  end

  def test_forwarded_proto_is_used_when_trusted
    plain = env("/?irclickid=Wbv3sJ2a1xyz").merge("rack.url_scheme" => "http", "HTTP_X_FORWARDED_PROTO" => "https")
    _, headers, = middleware.call(plain.dup)
    refute_match(/Secure/, headers["set-cookie"], "untrusted by default")
    _, headers, = middleware(config: { "trust_forwarded_proto" => true }).call(plain.dup)
    assert_match(/; Secure;/, headers["set-cookie"])
  end

  def test_rack3_gets_an_array_and_keeps_the_apps_cookies
    app = ->(_env) { [200, { "set-cookie" => "session=1; Path=/" }, ["ok"]] }
    mw = ImpactConversions::ClickId::Middleware.new(app, consent: ->(_e) { "granted" })
    _, headers, = mw.call(env("/?irclickid=Wbv3sJ2a1xyz"))
    lines = headers["set-cookie"].split("\n")
    assert_equal "session=1; Path=/", lines.first
    assert_match(/\Aimpact_irclickid=/, lines.last)
    Object.const_set(:Rack, Module.new) unless defined?(::Rack)
    ::Rack.const_set(:RELEASE, "3.1.0")
    _, headers, = mw.call(env("/?irclickid=Wbv3sJ2a1xyz"))
    assert_kind_of Array, headers["set-cookie"]
    assert_equal "session=1; Path=/", headers["set-cookie"].first
    assert_equal 2, headers["set-cookie"].size
  ensure
    ::Rack.send(:remove_const, :RELEASE) if defined?(::Rack::RELEASE)
  end

  def test_consent_denied_stores_nothing
    _, headers, body = middleware.call(env("/?irclickid=Wbv3sJ2a1xyz", consent: "denied"))
    assert_equal ["Wbv3sJ2a1xyz"], body, "used for this request only"
    refute_match(/Max-Age=2592000/, headers["set-cookie"].to_s)
  end

  def test_handoff_and_bad_config
    config = { "handoff" => { "sister_domains" => ["sister.example"], "secret" => "s" * 32 } }
    d = ImpactConversions::ClickId.decorate_url("https://sister.example/cart", "Wbv3sJ2a1xyz", config: config)
    assert d.decorated
    assert_match(/\Ahttps:\/\/sister\.example\/cart\?/, d.url)
    refute_equal "https://sister.example/cart", d.url
    other = ImpactConversions::ClickId.decorate_url("https://elsewhere.example/", "Wbv3sJ2a1xyz", config: config)
    refute other.decorated
    assert_raises(ImpactConversions::Error) { middleware(config: { "max_age_secs" => -1 }) }
  end
end
