<?php

declare(strict_types=1);

namespace ImpactConversions;

/** How impact.com spreads OrderDiscount over the items (Impact::allocateDiscount). */
final class Allocation
{
    /** @param list<DiscountShare> $items */
    public function __construct(
        public readonly string $currency,
        public readonly string $orderDiscount,
        public readonly array $items,
    ) {
    }

    /** @return list<string> the shares in item order */
    public function shares(): array
    {
        return array_map(static fn (DiscountShare $s) => $s->share, $this->items);
    }

    /** @internal */
    public static function fromArray(array $a): self
    {
        $items = [];
        foreach ($a['items'] ?? [] as $i) {
            $items[] = new DiscountShare(
                (int) ($i['index'] ?? 0),
                isset($i['sku']) ? (string) $i['sku'] : null,
                (string) ($i['sub_total'] ?? ''),
                (string) ($i['share'] ?? ''),
                (string) ($i['net'] ?? ''),
            );
        }
        return new self((string) ($a['currency'] ?? ''), (string) ($a['order_discount'] ?? ''), $items);
    }
}
