<?php

declare(strict_types=1);

namespace ImpactConversions;

/**
 * Every error and warning of a conversion at once. A conversion with errors is never sent;
 * warnings (a discount above the items' total, a future EventDate, ...) are sent anyway.
 */
final class ValidationReport implements \Countable
{
    /**
     * @param list<Issue> $errors
     * @param list<Issue> $warnings
     */
    public function __construct(
        public readonly array $errors,
        public readonly array $warnings,
    ) {
    }

    /** No error (warnings allowed). */
    public function isValid(): bool
    {
        return $this->errors === [];
    }

    /** The number of errors. */
    public function count(): int
    {
        return count($this->errors);
    }

    /**
     * @param list<array{string, string}> $notes
     *
     * @internal
     */
    public static function fromArray(array $r, array $notes = []): self
    {
        return new self(Issue::list($r['errors'] ?? [], $notes), Issue::list($r['warnings'] ?? []));
    }
}
