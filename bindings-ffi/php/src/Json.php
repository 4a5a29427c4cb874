<?php

declare(strict_types=1);

namespace ImpactConversions;

/**
 * PHP values -> the core's JSON, and back. Only translation: every rule lives in the core.
 *
 * @internal
 */
final class Json
{
    /** A value with no JSON form is sent as {UNSUPPORTED: type}: the core reports invalid_type at its path. */
    public const UNSUPPORTED = 'unsupported_php_value';

    private const FLAGS = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION
        | JSON_THROW_ON_ERROR;

    private function __construct()
    {
    }

    /**
     * JSON text of an argument (a conversion, an action change, a configuration). An empty
     * PHP array is the empty object at the top and, with $emptyObjects, under every key
     * but "items" (so 'extra' => [] means no extra parameters). Floats are written in their shortest form
     * (serialize_precision -1), which is how the core reads them: 14.0 is sent as 14.00 and
     * 0.1 + 0.2 is refused, never rounded.
     *
     * @param list<array{string, string}>|null $notes receives the PHP type and key of each unsupported value
     */
    public static function encode(mixed $value, ?array &$notes = null, bool $emptyObjects = true): string
    {
        $notes = [];
        $value = self::walk($value, $notes, $emptyObjects);
        if ($value === []) {
            return '{}';
        }
        $precision = ini_get('serialize_precision');
        if ($precision !== '-1') {
            ini_set('serialize_precision', '-1');
        }
        try {
            return json_encode($value, self::FLAGS);
        } catch (\JsonException $e) {
            if ($e->getCode() !== JSON_ERROR_UTF8 && $e->getCode() !== JSON_ERROR_UTF16) {
                throw new ValidationException('cannot encode the input as JSON: ' . $e->getMessage());
            }
            // A string that is not UTF-8: reported by the core at its path as invalid_type.
            return json_encode(self::marksInvalidUtf8($value, $notes), self::FLAGS);
        } finally {
            if ($precision !== '-1' && $precision !== false) {
                ini_set('serialize_precision', $precision);
            }
        }
    }

    /**
     * JSON text of a click-id capture request: header bytes that are not UTF-8 are replaced
     * by U+FFFD (the core then refuses such a click id, as it refuses any non-ASCII one).
     */
    public static function encodeRequest(array $request): string
    {
        return json_encode($request, self::FLAGS | JSON_INVALID_UTF8_SUBSTITUTE);
    }

    /** @return mixed the decoded result (objects as arrays, big integers as strings) */
    public static function decode(string $text): mixed
    {
        try {
            return json_decode($text, true, 512, JSON_BIGINT_AS_STRING | JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new InternalException('unreadable result from the library: ' . $e->getMessage());
        }
    }

    /** RFC 3339 with the value's own offset; microseconds only when there are some. */
    public static function date(\DateTimeInterface $d): string
    {
        $micro = $d->format('u');
        if ($micro === '000000') {
            return $d->format('Y-m-d\TH:i:sP');
        }
        return $d->format('Y-m-d\TH:i:s') . '.' . rtrim($micro, '0') . $d->format('P');
    }

    /** @param list<array{string, string}> $notes */
    private static function walk(mixed $v, array &$notes, bool $emptyObjects = false, int|string|null $key = null): mixed
    {
        if (is_array($v)) {
            foreach ($v as $k => $x) {
                if ($x === []) {
                    if ($emptyObjects && is_string($k) && strtolower($k) !== 'items') {
                        $v[$k] = new \stdClass();
                    }
                } elseif (is_array($x) || is_object($x) || is_float($x) || is_resource($x)) {
                    if ($emptyObjects && is_array($x) && is_string($k) && strtolower($k) === 'items' && !array_is_list($x)
                        && array_filter(array_keys($x), 'is_string') === []) {
                        $x = array_values($x);   // items keyed by line id are still a list
                    }
                    $v[$k] = self::walk($x, $notes, $emptyObjects, $k);
                }
            }
            return $v;
        }
        if (is_float($v)) {
            // NAN and INF have no JSON form; as text the core refuses them naming the field.
            return is_finite($v) ? $v : (string) $v;
        }
        if (!is_object($v)) {
            if (is_resource($v) || get_debug_type($v) === 'resource (closed)') {
                $notes[] = [get_debug_type($v), self::key($key)];
                return [self::UNSUPPORTED => get_debug_type($v)];
            }
            return $v;
        }
        if ($v instanceof \DateTimeInterface) {
            return self::date($v);
        }
        if ($v instanceof \BackedEnum) {
            return $v->value;
        }
        if ($v instanceof \JsonSerializable) {
            return self::walk($v->jsonSerialize(), $notes, $emptyObjects, $key);
        }
        if ($v instanceof \stdClass) {
            $walked = self::walk((array) $v, $notes, $emptyObjects, $key);
            return (object) $walked;
        }
        if ($v instanceof \Stringable) {
            return (string) $v;
        }
        $notes[] = [get_debug_type($v), self::key($key)];
        return [self::UNSUPPORTED => get_debug_type($v)];
    }

    /** @param list<array{string, string}> $notes */
    private static function marksInvalidUtf8(mixed $v, array &$notes, int|string|null $key = null): mixed
    {
        if (is_string($v) && !preg_match('//u', $v)) {
            $notes[] = ['string that is not UTF-8', self::key($key)];
            return [self::UNSUPPORTED => 'string that is not UTF-8'];
        }
        if (is_array($v)) {
            $out = [];
            foreach ($v as $k => $x) {
                if (is_string($k) && !preg_match('//u', $k)) {
                    $k = (string) preg_replace('/[\x80-\xff]/', "\u{FFFD}", $k);
                }
                $out[$k] = self::marksInvalidUtf8($x, $notes, $k);
            }
            return $out;
        }
        if ($v instanceof \stdClass) {
            return (object) self::marksInvalidUtf8((array) $v, $notes, $key);
        }
        return $v;
    }

    /**
     * The hint added to an invalid_type message when unsupported PHP values were sent: for
     * the issue at $path (the core's path, e.g. "items[0].sku") only the values sent under
     * that key; without $path every one.
     *
     * @param list<array{string, string}> $notes
     */
    public static function hint(array $notes, ?string $path = null): string
    {
        $names = [];
        $last = $path === null ? null : self::key((string) preg_replace('/\[\d+\]$/', '', (string) strrchr('.' . $path, '.')));
        foreach ($notes as [$type, $key]) {
            if ($last === null || $key === $last) {
                $names[$type] = true;
            }
        }
        if ($names === []) {
            return '';
        }
        $names = array_keys($names);
        sort($names);
        $what = count($names) === 1 ? 'a PHP ' . $names[0] . ' was given' : 'PHP values of types ' . implode(', ', $names) . ' were given';
        return " ($what: pass strings, ints, bools, decimal strings or a DateTimeInterface)";
    }

    /** A key compared without case and underscores (OrderId, order_id, orderId). */
    private static function key(int|string|null $key): string
    {
        return strtolower(str_replace(['_', '.'], '', (string) $key));
    }
}
