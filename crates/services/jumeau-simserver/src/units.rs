//! Engineering units as OPC UA publishes them: UNECE Rec. 20 common codes packed into the
//! `EUInformation.unitId` integer (OPC UA Part 8, §5.6.3).

/// The UNECE common code of a unit as written in master data, if it has one.
pub fn unece_code(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "°C" => "CEL",
        "K" => "KEL",
        "bar" | "barg" => "BAR",
        "mbar" => "MBR",
        "kg/s" => "KGS",
        "rpm" => "RPM",
        "MW" => "MAW",
        "Mvar" => "MAR",
        "%" => "P1",
        "mm" => "MMT",
        "mm/s" => "C16",
        "µm" => "4H",
        "A" => "AMP",
        "kA" => "B22",
        "kV" => "KVT",
        "Hz" => "HTZ",
        "ppm" => "59",
        "°" => "DD",
        _ => return None,
    })
}

/// `unitId` for a common code: its ASCII letters packed big-endian.
pub fn unit_id(code: &str) -> i32 {
    code.bytes().fold(0i32, |acc, b| (acc << 8) | i32::from(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_ids_follow_the_opc_ua_packing() {
        // Part 8 example: degree Celsius "CEL" = 4408652.
        assert_eq!(unit_id("CEL"), 4_408_652);
        assert_eq!(unece_code("barg"), Some("BAR"));
        assert_eq!(unece_code("mg/Nm³"), None);
    }
}
