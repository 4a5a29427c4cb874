<?php

declare(strict_types=1);

namespace ImpactConversions;

/**
 * One validation problem: what (code, e.g. "required"), where in the caller's model (path,
 * snake_case with 0-based item indexes: "items[1].quantity"), under which impact.com name
 * (field, 1-based: "ItemQuantity2"; null for an unknown key), and how to fix it (message).
 */
final class Issue
{
    public function __construct(
        public readonly string $code,
        public readonly string $path,
        public readonly ?string $field,
        public readonly string $message,
    ) {
    }

    /** @return array{code: string, path: string, field?: string, message: string} */
    public function toArray(): array
    {
        $a = ['code' => $this->code, 'path' => $this->path];
        if ($this->field !== null) {
            $a['field'] = $this->field;
        }
        $a['message'] = $this->message;
        return $a;
    }

    /**
     * @param mixed $list decoded issues
     * @param list<array{string, string}> $notes unsupported PHP values sent (Json::encode)
     * @return list<Issue>
     *
     * @internal
     */
    public static function list(mixed $list, array $notes = []): array
    {
        $out = [];
        foreach (is_array($list) ? $list : [] as $i) {
            $code = (string) ($i['code'] ?? '');
            $message = (string) ($i['message'] ?? '');
            if ($notes !== [] && $code === 'invalid_type') {
                $message .= Json::hint($notes, (string) ($i['path'] ?? ''));
            }
            $out[] = new Issue($code, (string) ($i['path'] ?? ''), isset($i['field']) ? (string) $i['field'] : null, $message);
        }
        return $out;
    }
}
