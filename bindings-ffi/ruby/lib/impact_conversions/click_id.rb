# frozen_string_literal: true

module ImpactConversions
  # Click-id capture over the core: the first-party cookie, consent, the referral window and
  # the hand-off to sister domains. Write `set_cookie` values to the response exactly as they
  # are (Rack: `headers["set-cookie"]`, one per line), never through a cookie helper that
  # re-encodes them. `config` keys: cookie_name, max_age_secs, param_names, handoff: {...}.
  module ClickId
    Outcome = Struct.new(:click_id, :source, :store, :captured_at, :set_cookie, :warnings, keyword_init: true)
    Decorated = Struct.new(:url, :decorated, :warnings, keyword_init: true)

    module_function

    # The decision for one request. `url` is the request target or full URL; `cookie` the
    # Cookie header; consent "granted", "denied" or "unknown"; `now` a Time, unix
    # milliseconds or an RFC 3339 string.
    def capture(host:, scheme: "https", url: nil, query: nil, cookie: nil, referer: nil,
                forwarded_proto: nil, consent: "unknown", now: Time.now, config: {})
      request = { "scheme" => scheme, "host" => host, "url" => url, "query" => query, "cookie" => cookie,
                  "referer" => referer, "forwarded_proto" => forwarded_proto, "consent" => consent.to_s,
                  "now" => now.is_a?(String) ? now : millis(now) }.compact
      outcome(ImpactConversions.native { ImpactConversionsNative.capture(Json.dump(config), Json.dump(request)) })
    end

    # The stored click id in a Cookie header (nothing written, consent not consulted).
    def read_stored(cookie_header, now: Time.now, config: {})
      outcome(ImpactConversions.native do
        ImpactConversionsNative.read_stored(Json.dump(config), cookie_header.to_s, millis(now))
      end)
    end

    # A link to a sister domain with the click id (or a signed hand-off token) added.
    def decorate_url(url, click_id, now: Time.now, config: {})
      d = JSON.parse(ImpactConversions.native do
        ImpactConversionsNative.decorate_url(Json.dump(config), url.to_s, click_id.to_s, millis(now))
      end)
      Decorated.new(url: d["url"], decorated: d["decorated"], warnings: d["warnings"].freeze).freeze
    end

    # Set-Cookie values deleting the click-id cookie for `host` (both scopes).
    def clear(host, config: {})
      JSON.parse(ImpactConversions.native { ImpactConversionsNative.clear_click_id(Json.dump(config), host.to_s) })
    end

    # Rack middleware: sets env["impact.click_id"] and appends the core's Set-Cookie values.
    # `consent` is a proc of the Rack env answering "granted", "denied" or "unknown".
    class Middleware
      def initialize(app, consent: ->(_env) { "unknown" }, config: {})
        @app = app
        @consent = consent
        @config = config
        ImpactConversions::ClickId.read_stored("", config: config) # a bad config fails here, not per request
      end

      def call(env)
        out = ImpactConversions::ClickId.capture(
          scheme: env["rack.url_scheme"] || "http", host: env["HTTP_HOST"] || env["SERVER_NAME"].to_s,
          url: env["REQUEST_URI"] || "#{env['PATH_INFO']}?#{env['QUERY_STRING']}", cookie: env["HTTP_COOKIE"],
          referer: env["HTTP_REFERER"], forwarded_proto: env["HTTP_X_FORWARDED_PROTO"],
          consent: @consent.call(env), config: @config
        )
        env["impact.click_id"] = out.click_id
        status, headers, body = @app.call(env)
        append_cookies(headers, out.set_cookie) unless out.set_cookie.empty?
        [status, headers, body]
      end

      private

      # Rack 3 takes several Set-Cookie values as an Array; Rack 2 as one String, a value a line.
      def append_cookies(headers, cookies)
        existing = headers.delete("Set-Cookie") || headers.delete("set-cookie")
        values = [*(existing.is_a?(String) ? existing.split("\n") : existing), *cookies]
        headers["set-cookie"] = rack3? ? values : values.join("\n")
      end

      def rack3? = defined?(::Rack::RELEASE) && Gem::Version.new(::Rack::RELEASE) >= Gem::Version.new("3")
    end

    def millis(now)
      case now
      when Time then (now.to_r * 1000).floor
      when Integer then now
      else raise ArgumentError, "now must be a Time or unix milliseconds, not #{now.class}"
      end
    end

    def outcome(text)
      o = JSON.parse(text)
      Outcome.new(click_id: o["click_id"], source: o["source"], store: o["store"], captured_at: o["captured_at"],
                  set_cookie: o["set_cookie"].freeze, warnings: o["warnings"].freeze).freeze
    end
  end
end
