<?php

declare(strict_types=1);

namespace ImpactConversions;


/**
 * The offline half of the core: validation, the exact form body, the discount split. No
 * network, no client needed.
 *
 * A conversion is an array with impact.com's parameter names (CampaignId, ItemSku...), or
 * the core's snake_case or camelCase spellings, and "items" as a list of arrays. Money as
 * decimal strings ("28.00") or ints; a float goes through its shortest form, so 14.0 is
 * sent as 14.00 and 0.1 + 0.2 is refused (too_many_decimals), never rounded. Dates as
 * RFC 3339 text with an offset or any DateTimeInterface.
 */
final class Impact
{
    private function __construct()
    {
    }

    /** The version of the loaded native library. */
    public static function version(): string
    {
        return Library::version();
    }

    /**
     * Every error and warning at once. Never throws for invalid input: check isValid().
     *
     * @param array<string, mixed>|object $conversion
     */
    public static function validate(array|object $conversion): ValidationReport
    {
        $json = Json::encode($conversion, $notes);
        $text = Library::call('impact_validate', [$json], $notes);
        return ValidationReport::fromArray(Json::decode($text), $notes);
    }

    /**
     * The exact application/x-www-form-urlencoded body impact.com receives.
     *
     * @param array<string, mixed>|object $conversion
     * @throws ValidationException with every issue when the conversion is invalid
     */
    public static function encode(array|object $conversion): string
    {
        $json = Json::encode($conversion, $notes);
        return Library::call('impact_encode', [$json], $notes);
    }

    /**
     * How impact.com spreads OrderDiscount over the items (largest remainder, to the cent).
     *
     * @param array<string, mixed>|object $conversion
     * @throws ValidationException when the conversion is invalid
     */
    public static function allocateDiscount(array|object $conversion): Allocation
    {
        $json = Json::encode($conversion, $notes);
        $text = Library::call('impact_allocate_discount', [$json], $notes);
        return Allocation::fromArray(Json::decode($text));
    }
}
