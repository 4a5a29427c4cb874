# frozen_string_literal: true

require_relative "helper"

# The shared JSON vectors through the Ruby API: byte-identical to the Rust core.
class TestVectors < Minitest::Test
  def keys(issues, with_field)
    issues.map { |i| [i["code"], i["path"], with_field ? i["field"].to_s : ""] }.sort
  end

  def plain(issues) = issues.map { |i| { "code" => i.code, "path" => i.path, "field" => i.field } }

  def test_conversion_vectors
    vectors("conversions").each do |name, v|
      input = v["input"]
      expect = v["expect"]
      report = ImpactConversions.validate(input)
      if expect.key?("body")
        assert report.valid?, "#{name}: #{report.errors.inspect}"
        assert_equal expect["body"], ImpactConversions.encode(input), name
        assert_equal keys(expect.fetch("warnings", []), false), keys(plain(report.warnings), false), name
        if expect["discount"]
          assert_equal expect["discount"], ImpactConversions.allocate_discount(input).items.map(&:share), name
        end
      else
        assert_equal keys(expect["errors"], true), keys(plain(report.errors), true), name
        err = assert_raises(ImpactConversions::ValidationError, name) { ImpactConversions.encode(input) }
        assert_equal "validation", err.code
        refute_empty err.issues
      end
    end
  end

  def test_click_id_vectors
    vectors("clickid").each do |name, v|
      config = v["config"] || {}
      expected = v["expected"] || {}
      if (d = v["decorate"])
        got = ImpactConversions::ClickId.decorate_url(d["url"], d["click_id"], now: d["now"], config: config)
        assert_equal expected["url"], got.url, name
      elsif (c = v["clear"])
        assert_equal expected["set_cookie"], ImpactConversions::ClickId.clear(c["host"], config: config), name
      else
        req = v["request"].dup
        (v["request_fill"] || {}).each do |field, s|
          req[field] = "#{s['prefix']}#{s['repeat'] * s['times']}#{s['suffix']}"
        end
        args = req.to_h { |k, val| [k.to_sym, val] }
        if (want = v["expected_error"])
          err = assert_raises(ImpactConversions::Error, name) { ImpactConversions::ClickId.capture(**args, config: config) }
          assert_equal want["code"], err.code, name
          next
        end
        out = ImpactConversions::ClickId.capture(**args, config: config)
        assert_equal expected["set_cookie"], out.set_cookie, name
        expected["click_id"].nil? ? assert_nil(out.click_id, name) : assert_equal(expected["click_id"], out.click_id, name)
        assert_equal expected["store"], out.store, name
      end
    end
  end

  def test_money_and_dates_from_ruby_values
    base = { campaign_id: 1000, event_type_id: 9876, order_id: "O1", click_id: "abc", currency_code: "USD",
             event_date: Time.new(2024, 8, 1, 23, 55, 24, "-08:00") }
    body = ImpactConversions.encode(**base, items: [{ sku: "A", quantity: 2, sub_total: BigDecimal("28") }])
    assert_includes body, "EventDate=2024-08-01T23%3A55%3A24-08%3A00"
    assert_includes body, "ItemSubTotal1=28.00"
    assert_includes ImpactConversions.encode(**base, items: [{ sku: "A", quantity: 1, sub_total: 14.0 }]), "ItemSubTotal1=14.00"
    err = assert_raises(ImpactConversions::ValidationError) { ImpactConversions.encode(**base, amount: 0.1 + 0.2) }
    assert_equal ["too_many_decimals"], err.issues.map(&:code)
    err = assert_raises(ImpactConversions::ValidationError) { ImpactConversions.encode(**base, event_date: Date.new(2024, 8, 1)) }
    assert_equal "event_date", err.issues.first.path
    err = assert_raises(ImpactConversions::ValidationError) { ImpactConversions.encode(**base, amont: "1") }
    assert_match(/amount/, err.issues.first.message)
  end
end
