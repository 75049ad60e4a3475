//! Text for PDF's standard fonts in WinAnsiEncoding: Latin-1 plus the typographic extras French
//! needs; anything else becomes a close ASCII stand-in or `?`.

pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let code = c as u32;
        let b = match c {
            ' '..='~' => code as u8,
            '\u{a0}'..='\u{ff}' => code as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            'œ' => 0x9c,
            'Œ' => 0x8c,
            '₀'..='₉' => b'0' + (code - '₀' as u32) as u8,
            '\t' => b' ',
            _ => b'?',
        };
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn french_and_units_survive() {
        assert_eq!(
            super::encode("é°³µ«»—œ"),
            vec![0xe9, 0xb0, 0xb3, 0xb5, 0xab, 0xbb, 0x97, 0x9c]
        );
        assert_eq!(super::encode("CO₂ ✓"), b"CO2 ?".to_vec());
    }
}
