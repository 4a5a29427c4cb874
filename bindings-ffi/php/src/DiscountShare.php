<?php

declare(strict_types=1);

namespace ImpactConversions;

/** One item's part of OrderDiscount. Money is decimal text ("3.31"), never a float. */
final class DiscountShare
{
    public function __construct(
        /** 1-based, as on the wire. */
        public readonly int $index,
        public readonly ?string $sku,
        public readonly string $subTotal,
        public readonly string $share,
        /** subTotal - share. */
        public readonly string $net,
    ) {
    }
}
