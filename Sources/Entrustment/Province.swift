/// The one-character court-code prefixes (法院代字) of the high courts and the regions they cover.
///
/// ANHAO art. 4: a high court's code is its province's abbreviation; Inner Mongolia is `内`,
/// the military court `军`, the Xinjiang Production and Construction Corps branch `兵`.
public enum Province {
    /// Prefix → the region's Chinese name.
    public static let names: [Character: String] = [
        "京": "北京", "津": "天津", "冀": "河北", "晋": "山西", "内": "内蒙古",
        "辽": "辽宁", "吉": "吉林", "黑": "黑龙江", "沪": "上海", "苏": "江苏",
        "浙": "浙江", "皖": "安徽", "闽": "福建", "赣": "江西", "鲁": "山东",
        "豫": "河南", "鄂": "湖北", "湘": "湖南", "粤": "广东", "桂": "广西",
        "琼": "海南", "渝": "重庆", "川": "四川", "黔": "贵州", "贵": "贵州",
        "云": "云南", "藏": "西藏", "陕": "陕西", "甘": "甘肃", "青": "青海",
        "宁": "宁夏", "新": "新疆", "兵": "新疆兵团", "军": "军事法院",
    ]
}
