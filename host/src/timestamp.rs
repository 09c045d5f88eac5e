//! Timestamps as the audit log and the log files write them.

/// Now, UTC, RFC 3339 with milliseconds (`2026-11-24T21:07:19.546Z`): sorts as text.
pub fn now_rfc3339() -> String {
    rfc3339(time::OffsetDateTime::now_utc())
}

/// `at` (UTC) as [`now_rfc3339`] writes times. Written digit by digit: every audited request
/// formats one, and `time`'s general formatter took a quarter of a microsecond for it.
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    let year = at.year();
    if !(0..=9999).contains(&year) {
        return rfc3339_by_format(at);
    }
    let mut text = String::with_capacity(24);
    push_digits(&mut text, year as u32, 4);
    text.push('-');
    push_digits(&mut text, u32::from(u8::from(at.month())), 2);
    text.push('-');
    push_digits(&mut text, u32::from(at.day()), 2);
    text.push('T');
    push_digits(&mut text, u32::from(at.hour()), 2);
    text.push(':');
    push_digits(&mut text, u32::from(at.minute()), 2);
    text.push(':');
    push_digits(&mut text, u32::from(at.second()), 2);
    text.push('.');
    push_digits(&mut text, u32::from(at.millisecond()), 3);
    text.push('Z');
    text
}

/// `value`'s last `width` decimal digits, zero-padded.
fn push_digits(text: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10u32.pow(place)) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// The same text by `time`'s formatter, for years outside 0000–9999 (which need a sign).
fn rfc3339_by_format(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.format(&format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn timestamps_sort_as_text() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }

    #[test]
    fn digits_are_written_as_the_general_formatter_writes_them() {
        for at in [
            datetime!(2026-11-24 21:07:19.546 UTC),
            datetime!(2024-02-29 00:00:00 UTC),
            datetime!(0001-01-01 09:09:09.009 UTC),
            datetime!(9999-12-31 23:59:59.999999 UTC),
            datetime!(2026-07-04 12:30:05.1 UTC),
        ] {
            assert_eq!(rfc3339(at), rfc3339_by_format(at), "{at}");
        }
        assert_eq!(
            rfc3339(datetime!(2026-11-24 21:07:19.546 UTC)),
            "2026-11-24T21:07:19.546Z"
        );
    }
}
