//! ISO 4217 currencies and their minor units, from the `iso_currency` table.

/// A currency impact.com can take money in: a known ISO 4217 code with a minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    minor_units: u32,
}

impl Currency {
    /// Looks up an upper-case ISO 4217 code. Codes without a minor unit (gold, SDR, test
    /// codes) are refused: impact.com cannot book an order in them.
    pub fn from_code(code: &str) -> Option<Currency> {
        let iso = iso_currency::Currency::from_code(code)?;
        let minor_units = u32::from(iso.exponent()?);
        Some(Currency {
            code: iso.code(),
            minor_units,
        })
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point: 2 for USD, 0 for JPY, 3 for KWD.
    pub fn minor_units(&self) -> u32 {
        self.minor_units
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_iso_4217() {
        let units = |c| Currency::from_code(c).map(|c| c.minor_units());
        assert_eq!(units("USD"), Some(2));
        assert_eq!(units("JPY"), Some(0));
        assert_eq!(units("KWD"), Some(3));
        assert_eq!(units("XAU"), None);
        assert_eq!(units("usd"), None);
        assert_eq!(units("ZZZ"), None);
    }
}
