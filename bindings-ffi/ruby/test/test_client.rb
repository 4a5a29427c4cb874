# frozen_string_literal: true

require_relative "helper"
require "stringio"

# The client against the emulator: success, faults, rate limiting, errors, events, secrets.
class TestClient < Minitest::Test
  FAST = { max_attempts: 4, base_delay_ms: 10, max_delay_ms: 50, attempt_timeout_ms: 1000 }.freeze

  def setup
    Sandbox.reset
    @seq = 0
  end

  def client(**over)
    ImpactConversions::Client.new(account_sid: ACCOUNT_SID, auth_token: AUTH_TOKEN, base_url: Sandbox.url, **FAST, **over)
  end

  def order(id = nil)
    { campaign_id: 1000, event_type_id: 9876, order_id: id || "RB-#{Process.pid}-#{@seq += 1}",
      event_date: Time.utc(2024, 8, 1, 23, 55, 24), click_id: "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0",
      currency_code: "USD", customer_email: "Buyer@Example.com",
      items: [{ sku: "A1", quantity: 2, sub_total: BigDecimal("28.00") }] }
  end

  def test_submit_success_hashes_the_email
    receipt = client.submit(order("RB-ok"))
    assert_equal "QUEUED", receipt.status
    assert_equal 1, receipt.attempts
    assert receipt.queued_uri.end_with?(receipt.submission_id)
    assert_equal({ "RB-ok" => 1 }, Sandbox.orders)
    body = Sandbox.requests.first["body"]
    assert_match(/CustomerEmail=[0-9a-f]{64}/, body)
    refute_includes body, "Buyer"
    ua = Sandbox.requests.first["headers"].find { |k, _| k.casecmp?("user-agent") }[1]
    assert_match(%r{\Aimpact-conversions/\S+ \(ruby; rust\)\z}, ua)
  end

  def test_faults_are_retried_and_delivered_once
    [{ "status" => 503 }, { "status" => 500 }, { "fault" => "drop" }, { "fault" => "reset_mid_body" },
     { "delay_ms" => 1500, "status" => 200 }].each do |fault|
      Sandbox.reset
      Sandbox.script(fault, fault)
      receipt = client.submit(order("RB-fault"))
      assert_equal 3, receipt.attempts, fault.inspect
      assert_equal({ "RB-fault" => 1 }, Sandbox.orders, fault.inspect)
      assert_equal 1, Sandbox.requests.map { |r| r["body"] }.uniq.size
    end
  end

  def test_non_retryable_statuses_raise_their_class_at_once
    { 400 => ImpactConversions::ApiError, 401 => ImpactConversions::AuthError, 403 => ImpactConversions::AuthError,
      422 => ImpactConversions::ApiError }.each do |status, cls|
      Sandbox.reset
      Sandbox.script({ "status" => status })
      err = assert_raises(cls) { client.submit(order) }
      assert_equal status, err.status
      assert_equal 1, err.attempts
      refute err.retryable?
      assert_kind_of ImpactConversions::Error, err
      assert_equal 1, Sandbox.requests.size
    end
  end

  def test_exhausted_retries_unconfirmed_and_validation
    Sandbox.script(*[{ "status" => 503 }] * 3)
    err = assert_raises(ImpactConversions::TransportError) { client(max_attempts: 3).submit(order) }
    assert_equal [3, 503, "transport"], [err.attempts, err.status, err.code]
    assert err.retryable?
    Sandbox.script({ "fault" => "garbage_2xx" })
    assert_raises(ImpactConversions::UnconfirmedError) { client.submit(order) }
    Sandbox.reset
    err = assert_raises(ImpactConversions::ValidationError) { client.submit(order.merge(order_id: "", amount: 0.1 + 0.2)) }
    assert_equal %w[required too_many_decimals], err.issues.map(&:code).sort
    assert_empty Sandbox.requests
  end

  def test_rate_limit_waits_or_fails_fast_with_reset_at
    Sandbox.script({ "status" => 429, "rate_limit_reset" => { "delta" => 1 } })
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    assert_equal 2, client(max_attempts: 1).submit(order).attempts
    assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :>=, 0.9
    Sandbox.script({ "status" => 429, "rate_limit_reset" => { "delta" => 3600 } })
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    err = assert_raises(ImpactConversions::RateLimitedError) { client.submit(order) }
    assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :<, 1
    assert_kind_of Time, err.reset_at
    assert_operator err.reset_at, :>, Time.now + 3000
  end

  def test_deadline_is_a_timeout_error
    Sandbox.script(*[{ "status" => 503 }] * 50)
    assert_raises(ImpactConversions::TimeoutError) do
      client(max_attempts: 50, base_delay_ms: 100, max_delay_ms: 200, timeout: 0.8).submit(order)
    end
  end

  def test_submit_many_status_and_actions
    c = client
    batch = [order, order.merge(click_id: nil), order.merge(amont: "1.00"), order]
    results = c.submit_many(batch, concurrency: 2)
    assert_equal [ImpactConversions::Receipt, ImpactConversions::ValidationError, ImpactConversions::ValidationError,
                  ImpactConversions::Receipt], results.map(&:class)
    assert_equal [%w[unknown_field amont]], results[2].issues.map { |i| [i.code, i.path] }
    assert_equal [batch[0][:order_id], batch[3][:order_id]].sort, Sandbox.orders.keys.sort
    err = assert_raises(ImpactConversions::ValidationError) { c.submit_many(batch, concurrency: 0) }
    assert_match(/concurrency/, err.message)
    err = assert_raises(ImpactConversions::ValidationError) { c.wait_for_submission("A-1", timeout: "5s") }
    assert_match(/timeout/, err.message)
    status = c.wait_for_submission(results[0].queued_uri, timeout: 5)
    assert status.complete?
    refute status.failed?
    assert_equal "Complete", status.status
    assert_equal "QUEUED", c.modify_action(action_id: "1000.1.1", reason: "ITEM_RETURNED", amount: "10.00").status
    assert_equal "QUEUED", c.reverse_action(action_id: "1000.1.1", disposition_code: "ITEM_RETURNED").status
    assert_raises(ImpactConversions::ValidationError) { c.reverse_action(action_id: "1000.1.1", disposition_code: "NOPE") }
  end

  def test_threads_share_one_client
    c = client
    receipts = Array.new(8) { Thread.new { Array.new(5) { c.submit(order) } } }.flat_map(&:value)
    assert_equal 40, receipts.size
    assert_equal 40, Sandbox.orders.size
  end

  def test_waiting_calls_release_the_gvl
    c = client
    c.submit(order)
    Sandbox.script(*[{ "delay_ms" => 600 }] * 4)
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    Array.new(4) { Thread.new { c.submit(order) } }.each(&:join)
    elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    assert_operator elapsed, :<, 1.8, "4 slow answers of 0.6 s took #{elapsed.round(2)} s: the calls ran one at a time"
  end

  def test_logger_gets_events_and_no_secret_appears_anywhere
    log = StringIO.new
    c = client(logger: Logger.new(log), max_attempts: 2)
    Sandbox.script({ "status" => 503 })
    c.submit(order)
    Sandbox.script({ "status" => 401 })
    err = assert_raises(ImpactConversions::AuthError) { c.submit(order) }
    text = log.string
    assert_match(/WARN .*impact retry .*status=503/, text)
    assert_match(/INFO .*impact success/, text)
    assert_match(/ERROR .*impact give_up .*code=auth/, text)
    shown = [text, c.inspect, c.to_s, err.message, err.inspect, err.full_message, c.instance_variables.map { |v| c.instance_variable_get(v).inspect }.join]
    shown.each { |s| refute_includes s, AUTH_TOKEN }
    assert_includes c.inspect, ACCOUNT_SID
  end

  def test_configuration_errors_name_the_option
    err = assert_raises(ImpactConversions::ConfigError) { client(auth_token: nil) }
    assert_match(/auth_token is missing/, err.message)
    err = assert_raises(ImpactConversions::ConfigError) { client(auth_token: 987_654_321) }
    assert_match(/auth_token must be a string/, err.message)
    refute_includes err.message, "987654321"
    err = assert_raises(ImpactConversions::ConfigError) { client(max_attempts: "five") }
    assert_match(/max_attempts/, err.message)
    err = assert_raises(ImpactConversions::ConfigError) { client(base_url: "http://api.example.com") }
    assert_match(/https/, err.message)
    err = assert_raises(ImpactConversions::ConfigError) { client(max_atempts: 3) }
    assert_match(/max_atempts/, err.message)
    refute_includes err.inspect, AUTH_TOKEN
  end

  def test_from_env
    saved = ENV.to_h
    ENV.update("IMPACT_ACCOUNT_SID" => ACCOUNT_SID, "IMPACT_AUTH_TOKEN" => AUTH_TOKEN, "IMPACT_BASE_URL" => Sandbox.url)
    c = ImpactConversions::Client.from_env(max_attempts: 2, logger: Logger.new(IO::NULL))
    assert_equal Sandbox.url, c.base_url
    assert_equal ACCOUNT_SID, c.account_sid
    assert_equal "QUEUED", c.submit(order).status
    ENV.delete("IMPACT_AUTH_TOKEN")
    err = assert_raises(ImpactConversions::ConfigError) { ImpactConversions::Client.from_env }
    assert_match(/IMPACT_AUTH_TOKEN/, err.message)
  ensure
    ENV.replace(saved)
  end

  def test_fork_child_submits_with_the_parents_client
    c = client
    c.submit(order)
    pid = fork { exit!(c.submit(order("RB-child")).status == "QUEUED" ? 0 : 1) }
    Process.wait(pid)
    assert_equal 0, $?.exitstatus
    assert_equal 1, Sandbox.orders["RB-child"]
  end
end
