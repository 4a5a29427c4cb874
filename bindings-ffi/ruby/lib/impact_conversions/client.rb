# frozen_string_literal: true

module ImpactConversions
  # The retrying client (thread-safe; rebuilt in a forked child). Options are the core's,
  # in snake_case: max_attempts, base_delay_ms, max_delay_ms, deadline_ms,
  # attempt_timeout_ms, rate_limit_fallback_ms; `timeout:` (seconds) sets deadline_ms.
  # `logger:` (a Logger) receives every attempt (debug), success (info), retry (warn) and
  # give-up (error), never the AuthToken or the request body.
  class Client
    def initialize(account_sid:, auth_token:, base_url: nil, logger: nil, timeout: nil, **options)
      open_native(false, { account_sid: account_sid, auth_token: auth_token, base_url: base_url,
                           timeout: timeout, **options }, logger)
    end

    # IMPACT_ACCOUNT_SID, IMPACT_AUTH_TOKEN and IMPACT_BASE_URL (the core reads them);
    # `options` as for `new`, and given ones win over the environment.
    def self.from_env(logger: nil, **options)
      allocate.tap { |c| c.send(:open_native, true, options, logger) }
    end

    def account_sid = @description["account_sid"]
    def base_url = @description["base_url"]

    # Validates, then sends one conversion with retries: a Receipt, or raises the Error
    # for its code (ValidationError before anything is sent).
    def submit(conversion = nil, **fields)
      Receipt.from(call("submit", conversion || fields))
    end

    # Many conversions, at most `concurrency` at a time: one Receipt or Error per input, in
    # input order (an invalid conversion never fails the batch).
    def submit_many(conversions, concurrency: 8)
      list = conversions.is_a?(Enumerable) && !conversions.is_a?(Hash) ? conversions.to_a : conversions
      call("submit_many", { "conversions" => list, "concurrency" => concurrency }).map do |r|
        r.key?("ok") ? Receipt.from(r["ok"]) : ImpactConversions.error_from(r["error"])
      end
    end

    # The processing status of a submission id or QueuedUri.
    def submission_status(id)
      SubmissionStatus.from(call("submission_status", { "id" => id.to_s }))
    end

    # Polls until impact.com has processed the submission; TimeoutError after `timeout` s.
    def wait_for_submission(id, timeout: 60)
      SubmissionStatus.from(call("wait_for_submission", { "id" => id.to_s, "timeout" => timeout }))
    end

    # PUT /Actions: e.g. action_id:, reason: "ITEM_RETURNED", amount: "10.00".
    def modify_action(change = nil, **fields)
      Receipt.from(call("modify_action", change || fields))
    end

    # DELETE /Actions: action_id: (or action_tracker_id: + order_id:), disposition_code:.
    def reverse_action(reversal = nil, **fields)
      Receipt.from(call("reverse_action", reversal || fields))
    end

    def inspect = "#<#{self.class.name} account_sid=#{account_sid.inspect} base_url=#{base_url.inspect}>"
    alias to_s inspect

    private

    LEVELS = { "attempt" => Logger::DEBUG, "success" => Logger::INFO, "retry" => Logger::WARN,
               "give_up" => Logger::ERROR }.freeze

    # A nil option is left to the core's default (or, from_env, to the environment).
    def open_native(from_env, options, logger)
      config = options.compact.transform_keys(&:to_s)
      timeout = config.delete("timeout")
      config["deadline_ms"] = (timeout * 1000).round if timeout
      json = Json.dump(config)
      @native = ImpactConversions.native do
        from_env ? ImpactConversionsNative::Client.from_env(json) : ImpactConversionsNative::Client.new(json)
      end
      @description = JSON.parse(@native.describe).freeze
      @logger = logger
    end

    def call(operation, args)
      JSON.parse(ImpactConversions.native { @native.call(operation, Json.dump(args)) })
    ensure
      log_events
    end

    def log_events
      events = @native.drain_events
      return if @logger.nil? || events == "[]"

      JSON.parse(events).each do |event|
        kind = event.delete("kind")
        detail = event.compact.map { |k, v| "#{k}=#{v}" }.join(" ")
        @logger.add(LEVELS.fetch(kind, Logger::INFO), "impact #{kind} #{detail}", "impact-conversions")
      end
    end
  end
end
