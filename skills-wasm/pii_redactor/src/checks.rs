//! The arithmetic and rules that tell real identifiers from look-alikes.

/// The Luhn checksum of a card number's digits.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// ISO 13616: move the country code and check digits to the end, read letters as 10..35,
/// and the number mod 97 must be 1.
pub fn iban(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    if !(15..=34).contains(&bytes.len()) || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let rotated = bytes[4..].iter().chain(&bytes[..4]);
    let mut remainder: u32 = 0;
    for &b in rotated {
        let value = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        let width = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * width + value) % 97;
    }
    remainder == 1
}

/// A US social security number's parts as the SSA issues them: area not 000, 666 or 9xx,
/// group not 00, serial not 0000.
pub fn us_ssn(area: &str, group: &str, serial: &str) -> bool {
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

/// Whether `text` is shaped like a social security number (ddd-dd-dddd): one the SSA never
/// issues is still not a phone number.
pub fn ssn_shaped(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([3, 2, 4])
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `text` looks like a calendar date (2024-01-15, 15.01.2024, 01/15/2024), which
/// phone-number patterns would otherwise take.
pub fn date_like(text: &str) -> bool {
    let parts: Vec<&str> = text.split(['-', '.', '/']).collect();
    parts.len() == 3
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && matches!(
            (parts[0].len(), parts[1].len(), parts[2].len()),
            (4, 2, 2) | (2, 2, 4) | (1 | 2, 1 | 2, 4)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(text: &str) -> Vec<u8> {
        text.bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect()
    }

    #[test]
    fn luhn_accepts_test_card_numbers_and_rejects_a_changed_digit() {
        assert!(luhn(&digits("4111 1111 1111 1111")));
        assert!(luhn(&digits("5500-0000-0000-0004")));
        assert!(luhn(&digits("378282246310005")));
        assert!(!luhn(&digits("4111 1111 1111 1112")));
    }

    #[test]
    fn iban_checksums() {
        assert!(iban("GB82WEST12345698765432"));
        assert!(iban("DE89370400440532013000"));
        assert!(!iban("GB82WEST12345698765433"));
        assert!(!iban("GB82"));
    }

    #[test]
    fn ssn_rules_and_dates() {
        assert!(us_ssn("123", "45", "6789"));
        assert!(!us_ssn("666", "45", "6789"));
        assert!(!us_ssn("923", "45", "6789"));
        assert!(!us_ssn("123", "00", "6789"));
        assert!(date_like("2024-01-15"));
        assert!(date_like("15.01.2024"));
        assert!(!date_like("020-7946-0958"));
    }
}
