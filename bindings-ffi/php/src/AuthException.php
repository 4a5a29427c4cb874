<?php

declare(strict_types=1);

namespace ImpactConversions;

/** impact.com refused the credentials (401) or their scope (403): status(). */
final class AuthException extends ImpactException
{
    protected const CODE = 'auth';
}
