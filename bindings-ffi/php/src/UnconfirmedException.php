<?php

declare(strict_types=1);

namespace ImpactConversions;

/** A 2xx that is not impact.com's JSON: the conversion may or may not be queued; resubmit the same OrderId. */
final class UnconfirmedException extends ImpactException
{
    protected const CODE = 'unconfirmed';
}
