//! Place names that open Chinese company names (企业名称中的行政区划): prefecture-level cities and the districts of the four municipalities, so that a company is also found by the name after its place (北京京东… by 京东).

use crate::domain::province::PROVINCES;

/// Short names (without 市, 地区, 自治州 or 盟) of every prefecture-level division of mainland
/// China (地级市, 地区, 自治州, 盟), by province, then the county-level cities that often open
/// company names (义乌, 昆山, 晋江…). Qinghai's 海南 (海南藏族自治州) is listed; 吉林 is both a
/// province and a city.
#[rustfmt::skip]
pub static PREFECTURE_CITIES: [&str; 353] = [
    // 河北
    "石家庄", "唐山", "秦皇岛", "邯郸", "邢台", "保定", "张家口", "承德", "沧州", "廊坊",
    "衡水",
    // 山西
    "太原", "大同", "阳泉", "长治", "晋城", "朔州", "晋中", "运城", "忻州", "临汾",
    "吕梁",
    // 内蒙古
    "呼和浩特", "包头", "乌海", "赤峰", "通辽", "鄂尔多斯", "呼伦贝尔", "巴彦淖尔",
    "乌兰察布", "兴安", "锡林郭勒", "阿拉善",
    // 辽宁
    "沈阳", "大连", "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "阜新", "辽阳",
    "盘锦", "铁岭", "朝阳", "葫芦岛",
    // 吉林
    "长春", "吉林", "四平", "辽源", "通化", "白山", "松原", "白城", "延边",
    // 黑龙江
    "哈尔滨", "齐齐哈尔", "鸡西", "鹤岗", "双鸭山", "大庆", "伊春", "佳木斯", "七台河",
    "牡丹江", "黑河", "绥化", "大兴安岭",
    // 江苏
    "南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州",
    "镇江", "泰州", "宿迁",
    "昆山", "江阴", "张家港", "常熟", "太仓", "宜兴", // 县级市
    // 浙江
    "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州",
    "丽水",
    "义乌", "慈溪", "余姚", "东阳", "永康", "瑞安", "乐清", "海宁", "桐乡", "诸暨", // 县级市
    // 安徽
    "合肥", "芜湖", "蚌埠", "淮南", "马鞍山", "淮北", "铜陵", "安庆", "黄山", "滁州",
    "阜阳", "宿州", "六安", "亳州", "池州", "宣城",
    // 福建
    "福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德",
    "晋江", "石狮", // 县级市
    // 江西
    "南昌", "景德镇", "萍乡", "九江", "新余", "鹰潭", "赣州", "吉安", "宜春", "抚州",
    "上饶",
    // 山东
    "济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海",
    "日照", "临沂", "德州", "聊城", "滨州", "菏泽",
    "寿光", "胶州", // 县级市
    // 河南
    "郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌",
    "漯河", "三门峡", "南阳", "商丘", "信阳", "周口", "驻马店",
    // 湖北
    "武汉", "黄石", "十堰", "宜昌", "襄阳", "鄂州", "荆门", "孝感", "荆州", "黄冈",
    "咸宁", "随州", "恩施",
    // 湖南
    "长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州",
    "永州", "怀化", "娄底", "湘西",
    // 广东
    "广州", "韶关", "深圳", "珠海", "汕头", "佛山", "江门", "湛江", "茂名", "肇庆",
    "惠州", "梅州", "汕尾", "河源", "阳江", "清远", "东莞", "中山", "潮州", "揭阳",
    "云浮",
    // 广西
    "南宁", "柳州", "桂林", "梧州", "北海", "防城港", "钦州", "贵港", "玉林", "百色",
    "贺州", "河池", "来宾", "崇左",
    // 海南
    "海口", "三亚", "三沙", "儋州",
    // 四川
    "成都", "自贡", "攀枝花", "泸州", "德阳", "绵阳", "广元", "遂宁", "内江", "乐山",
    "南充", "眉山", "宜宾", "广安", "达州", "雅安", "巴中", "资阳", "阿坝", "甘孜",
    "凉山",
    // 贵州
    "贵阳", "六盘水", "遵义", "安顺", "毕节", "铜仁", "黔西南", "黔东南", "黔南",
    // 云南
    "昆明", "曲靖", "玉溪", "保山", "昭通", "丽江", "普洱", "临沧", "楚雄", "红河",
    "文山", "西双版纳", "大理", "德宏", "怒江", "迪庆",
    // 西藏
    "拉萨", "日喀则", "昌都", "林芝", "山南", "那曲", "阿里",
    // 陕西
    "西安", "铜川", "宝鸡", "咸阳", "渭南", "延安", "汉中", "榆林", "安康", "商洛",
    // 甘肃
    "兰州", "嘉峪关", "金昌", "白银", "天水", "武威", "张掖", "平凉", "酒泉", "庆阳",
    "定西", "陇南", "临夏", "甘南",
    // 青海
    "西宁", "海东", "海北", "黄南", "海南", "果洛", "玉树", "海西",
    // 宁夏
    "银川", "石嘴山", "吴忠", "固原", "中卫",
    // 新疆
    "乌鲁木齐", "克拉玛依", "吐鲁番", "哈密", "昌吉", "博尔塔拉", "巴音郭楞", "阿克苏",
    "克孜勒苏", "喀什", "和田", "伊犁", "塔城", "阿勒泰",
];

/// The districts (区) and counties (县) of Beijing, Tianjin, Shanghai and Chongqing, in full.
#[rustfmt::skip]
pub static MUNICIPALITY_DISTRICTS: [&str; 86] = [
    // 北京
    "东城区", "西城区", "朝阳区", "丰台区", "石景山区", "海淀区", "门头沟区", "房山区",
    "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区",
    // 天津
    "和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区",
    "津南区", "北辰区", "武清区", "宝坻区", "滨海新区", "宁河区", "静海区", "蓟州区",
    // 上海
    "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
    "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区",
    // 重庆
    "万州区", "涪陵区", "渝中区", "大渡口区", "江北区", "沙坪坝区", "九龙坡区", "南岸区",
    "北碚区", "綦江区", "大足区", "渝北区", "巴南区", "黔江区", "长寿区", "江津区",
    "合川区", "永川区", "南川区", "璧山区", "铜梁区", "潼南区", "荣昌区", "开州区",
    "梁平区", "武隆区",
    "城口县", "丰都县", "垫江县", "忠县", "云阳县", "奉节县", "巫山县", "巫溪县",
    "石柱土家族自治县", "秀山土家族苗族自治县", "酉阳土家族苗族自治县",
    "彭水苗族土家族自治县",
];

/// Short names of the four municipalities: after one of them only a district is looked for.
const MUNICIPALITIES: [&str; 4] = ["北京", "天津", "上海", "重庆"];

/// What may follow a prefecture-level short name in its full form.
const CITY_SUFFIXES: [&str; 4] = ["市", "地区", "自治州", "盟"];

/// The byte lengths of the province-level names that open `s` (the full name, or the short
/// name with a directly following 省 or 市 when there is one, whichever is longer), each with
/// whether it is a municipality.
fn province_prefixes(s: &str) -> impl Iterator<Item = (usize, bool)> + '_ {
    PROVINCES.iter().filter_map(move |p| {
        let full = s.strip_prefix(p.name_zh).map(|rest| s.len() - rest.len());
        let short = s.strip_prefix(p.short_zh).map(|rest| {
            let rest = rest
                .strip_prefix('省')
                .or_else(|| rest.strip_prefix('市'))
                .unwrap_or(rest);
            s.len() - rest.len()
        });
        let len = full.max(short)?;
        Some((len, MUNICIPALITIES.contains(&p.short_zh)))
    })
}

/// The byte lengths of the prefecture-level names (with their 市, 地区, 自治州 or 盟 when one
/// follows) and municipal districts that open `s`; only districts when `districts_only`.
fn place_prefixes(s: &str, districts_only: bool) -> impl Iterator<Item = usize> + '_ {
    let cities = PREFECTURE_CITIES
        .iter()
        .copied()
        .filter(move |_| !districts_only)
        .filter_map(move |city| {
            let rest = s.strip_prefix(city)?;
            let rest = CITY_SUFFIXES
                .iter()
                .find_map(|&suffix| rest.strip_prefix(suffix))
                .unwrap_or(rest);
            Some(s.len() - rest.len())
        });
    let districts = MUNICIPALITY_DISTRICTS
        .iter()
        .copied()
        .filter_map(move |district| s.strip_prefix(district).map(|rest| s.len() - rest.len()));
    cities.chain(districts)
}

/// The rest of a company name after its opening place names, or the name itself when it opens
/// with none: first a province-level name (广东省, 广东, 北京市…), then a prefecture-level city
/// (深圳, 杭州市, 恩施自治州…) or a district of a municipality (海淀区, 浦东新区…), each step
/// optional and taking its longest match; after a municipality only a district is looked for.
/// At least two characters are always left: when stripping everything found would leave fewer,
/// the longest shorter strip that leaves enough is taken ("广东深圳" → "深圳", "北京" → "北京").
/// A heuristic: a brand that opens like a place (朝阳…) loses that opening too.
pub fn strip_place_prefix(name: &str) -> &str {
    let mut best = 0;
    let mut consider = |end: usize| {
        if end > best && name[end..].chars().nth(1).is_some() {
            best = end;
        }
    };
    for (province_end, municipality) in province_prefixes(name).chain(std::iter::once((0, false))) {
        consider(province_end);
        for place_end in place_prefixes(&name[province_end..], municipality) {
            consider(province_end + place_end);
        }
    }
    &name[best..]
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn strips_a_province_level_name() {
        assert_eq!(
            strip_place_prefix("北京京东世纪贸易有限公司"),
            "京东世纪贸易有限公司"
        );
    }

    #[test]
    fn strips_a_municipality_and_its_district() {
        assert_eq!(
            strip_place_prefix("北京市海淀区某某科技有限公司"),
            "某某科技有限公司"
        );
        assert_eq!(
            strip_place_prefix("上海浦东新区乐品贸易有限公司"),
            "乐品贸易有限公司"
        );
        assert_eq!(
            strip_place_prefix("重庆市渝中区某某商贸有限公司"),
            "某某商贸有限公司"
        );
    }

    #[test]
    fn strips_a_city_alone() {
        assert_eq!(
            strip_place_prefix("杭州禾云网络科技有限公司"),
            "禾云网络科技有限公司"
        );
        assert_eq!(
            strip_place_prefix("义乌市某某电子商务有限公司"),
            "某某电子商务有限公司"
        );
    }

    #[test]
    fn strips_a_province_and_a_city() {
        assert_eq!(
            strip_place_prefix("浙江省杭州市禾云网络有限公司"),
            "禾云网络有限公司"
        );
        assert_eq!(
            strip_place_prefix("广东深圳优选电子商务有限公司"),
            "优选电子商务有限公司"
        );
        assert_eq!(
            strip_place_prefix("吉林省吉林市某某科技有限公司"),
            "某某科技有限公司"
        );
        assert_eq!(
            strip_place_prefix("湖北恩施自治州某某茶业有限公司"),
            "某某茶业有限公司"
        );
    }

    #[test]
    fn leaves_a_name_without_a_place() {
        assert_eq!(
            strip_place_prefix("禾云直供科技有限公司"),
            "禾云直供科技有限公司"
        );
        assert_eq!(strip_place_prefix(""), "");
    }

    #[test]
    fn leaves_at_least_two_characters() {
        assert_eq!(strip_place_prefix("北京"), "北京");
        assert_eq!(strip_place_prefix("北京市"), "北京市");
        assert_eq!(strip_place_prefix("北京京"), "北京京");
        assert_eq!(strip_place_prefix("北京京东"), "京东");
        assert_eq!(strip_place_prefix("广东深圳"), "深圳");
        assert_eq!(strip_place_prefix("杭州市"), "杭州市");
    }

    #[test]
    fn takes_no_city_after_a_municipality() {
        // 朝阳 is a city in Liaoning, but after 北京 only a district (朝阳区) counts.
        assert_eq!(
            strip_place_prefix("北京朝阳光电科技有限公司"),
            "朝阳光电科技有限公司"
        );
        assert_eq!(
            strip_place_prefix("北京朝阳区某某科技有限公司"),
            "某某科技有限公司"
        );
    }

    #[test]
    fn the_lists_have_no_duplicates() {
        let cities: HashSet<&str> = PREFECTURE_CITIES.iter().copied().collect();
        assert_eq!(cities.len(), PREFECTURE_CITIES.len());
        let districts: HashSet<&str> = MUNICIPALITY_DISTRICTS.iter().copied().collect();
        assert_eq!(districts.len(), MUNICIPALITY_DISTRICTS.len());
    }

    #[test]
    fn the_cities_are_short_names() {
        assert!(PREFECTURE_CITIES.len() >= 330);
        for city in PREFECTURE_CITIES {
            assert!(!city.ends_with('市'), "{city}");
            assert!(city.chars().count() >= 2, "{city}");
        }
        for district in MUNICIPALITY_DISTRICTS {
            assert!(
                district.ends_with('区') || district.ends_with('县'),
                "{district}"
            );
        }
    }
}
