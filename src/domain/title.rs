//! The catalogue of collective titles a unit may register (domain.md).

/// A collective title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Title {
    /// Code typed in `/register`.
    pub code: &'static str,
    /// Vietnamese name.
    pub name: &'static str,
    /// Who awards it, in Vietnamese.
    pub awarded_by_vi: &'static str,
    /// Who awards it, in English.
    pub awarded_by_en: &'static str,
}

/// Every title, from the lowest award to the highest.
pub const TITLES: [Title; 7] = [
    Title {
        code: "TTLDTT",
        name: "Tập thể lao động tiên tiến",
        awarded_by_vi: "Thủ trưởng cơ quan",
        awarded_by_en: "head of the agency",
    },
    Title {
        code: "TTLDXS",
        name: "Tập thể lao động xuất sắc",
        awarded_by_vi: "Bộ trưởng / Chủ tịch UBND tỉnh",
        awarded_by_en: "minister / provincial chair",
    },
    Title {
        code: "GK",
        name: "Giấy khen",
        awarded_by_vi: "Thủ trưởng cơ quan",
        awarded_by_en: "head of the agency",
    },
    Title {
        code: "BK_TINH",
        name: "Bằng khen của Chủ tịch UBND tỉnh",
        awarded_by_vi: "Chủ tịch UBND tỉnh / Bộ trưởng",
        awarded_by_en: "provincial chair / minister",
    },
    Title {
        code: "CO_TINH",
        name: "Cờ thi đua của UBND tỉnh",
        awarded_by_vi: "UBND tỉnh / Bộ",
        awarded_by_en: "provincial People's Committee / ministry",
    },
    Title {
        code: "BK_TTG",
        name: "Bằng khen của Thủ tướng Chính phủ",
        awarded_by_vi: "Thủ tướng Chính phủ",
        awarded_by_en: "Prime Minister",
    },
    Title {
        code: "CO_CP",
        name: "Cờ thi đua của Chính phủ",
        awarded_by_vi: "Chính phủ",
        awarded_by_en: "Government",
    },
];

/// A title by code (any case).
pub fn by_code(raw: &str) -> Option<&'static Title> {
    TITLES
        .iter()
        .find(|t| t.code.eq_ignore_ascii_case(raw.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_found_by_code_in_any_case() {
        assert_eq!(
            by_code("ttldxs").map(|t| t.name),
            Some("Tập thể lao động xuất sắc")
        );
        assert_eq!(by_code("co_cp").map(|t| t.code), Some("CO_CP"));
        assert!(by_code("HUAN_CHUONG").is_none());
        assert!(by_code("").is_none());
    }

    #[test]
    fn codes_are_unique() {
        for (i, a) in TITLES.iter().enumerate() {
            assert!(TITLES.iter().skip(i + 1).all(|b| b.code != a.code));
        }
    }
}
