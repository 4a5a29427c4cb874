# ruby -Ibindings-ffi/ruby/lib bindings-ffi/ruby/examples/checkout.rb, with the IMPACT_* variables set
require "impact_conversions"
require "bigdecimal"

client = ImpactConversions::Client.from_env(
  max_attempts: 5, timeout: 30,                          # seconds; or deadline_ms:, attempt_timeout_ms:, ...
  logger: Logger.new($stdout, level: Logger::INFO)       # debug attempt, info success, warn retry, error give_up
)
# or ImpactConversions::Client.new(account_sid: "IR...", auth_token: token, base_url: ...)

order_id = "RB-#{Time.now.to_i}-#{Process.pid}"
begin
  receipt = client.submit(
    campaign_id: 1000, event_type_id: 9876, order_id: order_id,
    event_date: Time.now,                                # a Time: its offset is kept
    click_id: "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0",   # Rack: env["impact.click_id"]
    customer_email: "Buyer@Example.com",                 # hashed before it leaves the process
    currency_code: "USD", order_discount: BigDecimal("15.00"), order_promo_code: "15BUCKSOFF",
    items: [{ sku: "1ABC2345", quantity: 2, sub_total: BigDecimal("28.00") },
            { sku: "9ZXY7654", quantity: 3, sub_total: "99.00" }]
  )
rescue ImpactConversions::ValidationError => e
  e.issues.each { |i| warn "#{i.path}: #{i.message}" }   # nothing was sent
  raise
rescue ImpactConversions::RateLimitedError => e
  warn "retry after #{e.reset_at}"                        # e.g. re-enqueue the job for then
  raise
end
puts "queued #{order_id} as #{receipt.submission_id} after #{receipt.attempts} attempt(s)"

status = client.wait_for_submission(receipt.submission_id, timeout: 60)
puts status.failed? ? "not recorded: #{status.error_type} #{status.error_reason}" : "recorded: #{status.status}"
