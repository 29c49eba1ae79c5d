//! Name tables of the demo registry: provinces and their cities, brand syllables with pinyin,
//! industries, company suffixes, platform words and street names. All names are fictional.

use crate::domain::platform_type::PlatformType;

/// A prefecture-level city (or, in the four municipalities, an urban district).
pub struct City {
    /// Chinese name without "市", or the district name with "区" in a municipality.
    pub zh: &'static str,
    /// Pinyin, capitalised.
    pub en: &'static str,
    /// Six-digit GB/T 2260 division code.
    pub code: &'static str,
}

/// A mainland province-level division with how often demo companies are registered there.
pub struct ProvinceCities {
    /// Six-digit GB/T 2260 code, as in `domain::province`.
    pub code: &'static str,
    /// Relative share of demo companies.
    pub weight: u32,
    /// Whether it is a municipality (Beijing, Tianjin, Shanghai, Chongqing): its entries are
    /// districts.
    pub municipality: bool,
    pub cities: &'static [City],
}

const fn c(zh: &'static str, en: &'static str, code: &'static str) -> City {
    City { zh, en, code }
}

const fn p(
    code: &'static str,
    weight: u32,
    municipality: bool,
    cities: &'static [City],
) -> ProvinceCities {
    ProvinceCities {
        code,
        weight,
        municipality,
        cities,
    }
}

/// The 31 mainland divisions; e-commerce weighs most in Guangdong, Zhejiang, Beijing, Shanghai
/// and Jiangsu.
#[rustfmt::skip]
pub static PROVINCES: [ProvinceCities; 31] = [
    p("110000", 110, true, &[c("海淀区", "Haidian", "110108"), c("朝阳区", "Chaoyang", "110105"),
        c("丰台区", "Fengtai", "110106"), c("大兴区", "Daxing", "110115")]),
    p("120000", 16, true, &[c("滨海新区", "Binhai", "120116"), c("南开区", "Nankai", "120104"),
        c("和平区", "Heping", "120101")]),
    p("130000", 14, false, &[c("石家庄", "Shijiazhuang", "130100"), c("唐山", "Tangshan", "130200"),
        c("保定", "Baoding", "130600"), c("廊坊", "Langfang", "131000")]),
    p("140000", 5, false, &[c("太原", "Taiyuan", "140100"), c("大同", "Datong", "140200"),
        c("晋中", "Jinzhong", "140700")]),
    p("150000", 4, false, &[c("呼和浩特", "Hohhot", "150100"), c("包头", "Baotou", "150200"),
        c("鄂尔多斯", "Ordos", "150600")]),
    p("210000", 10, false, &[c("沈阳", "Shenyang", "210100"), c("大连", "Dalian", "210200"),
        c("鞍山", "Anshan", "210300")]),
    p("220000", 4, false, &[c("长春", "Changchun", "220100"), c("吉林", "Jilin", "220200")]),
    p("230000", 4, false, &[c("哈尔滨", "Harbin", "230100"), c("齐齐哈尔", "Qiqihar", "230200"),
        c("大庆", "Daqing", "230600")]),
    p("310000", 110, true, &[c("浦东新区", "Pudong", "310115"), c("徐汇区", "Xuhui", "310104"),
        c("闵行区", "Minhang", "310112"), c("静安区", "Jing'an", "310106"),
        c("长宁区", "Changning", "310105")]),
    p("320000", 80, false, &[c("南京", "Nanjing", "320100"), c("无锡", "Wuxi", "320200"),
        c("徐州", "Xuzhou", "320300"), c("常州", "Changzhou", "320400"),
        c("苏州", "Suzhou", "320500"), c("南通", "Nantong", "320600")]),
    p("330000", 120, false, &[c("杭州", "Hangzhou", "330100"), c("宁波", "Ningbo", "330200"),
        c("温州", "Wenzhou", "330300"), c("嘉兴", "Jiaxing", "330400"),
        c("湖州", "Huzhou", "330500"), c("绍兴", "Shaoxing", "330600"),
        c("金华", "Jinhua", "330700")]),
    p("340000", 14, false, &[c("合肥", "Hefei", "340100"), c("芜湖", "Wuhu", "340200")]),
    p("350000", 30, false, &[c("福州", "Fuzhou", "350100"), c("厦门", "Xiamen", "350200"),
        c("泉州", "Quanzhou", "350500")]),
    p("360000", 8, false, &[c("南昌", "Nanchang", "360100"), c("赣州", "Ganzhou", "360700")]),
    p("370000", 30, false, &[c("济南", "Jinan", "370100"), c("青岛", "Qingdao", "370200"),
        c("烟台", "Yantai", "370600"), c("潍坊", "Weifang", "370700"),
        c("临沂", "Linyi", "371300")]),
    p("410000", 16, false, &[c("郑州", "Zhengzhou", "410100"), c("洛阳", "Luoyang", "410300")]),
    p("420000", 20, false, &[c("武汉", "Wuhan", "420100"), c("宜昌", "Yichang", "420500"),
        c("襄阳", "Xiangyang", "420600")]),
    p("430000", 16, false, &[c("长沙", "Changsha", "430100"), c("株洲", "Zhuzhou", "430200")]),
    p("440000", 140, false, &[c("广州", "Guangzhou", "440100"), c("深圳", "Shenzhen", "440300"),
        c("珠海", "Zhuhai", "440400"), c("汕头", "Shantou", "440500"),
        c("佛山", "Foshan", "440600"), c("东莞", "Dongguan", "441900"),
        c("中山", "Zhongshan", "442000")]),
    p("450000", 6, false, &[c("南宁", "Nanning", "450100"), c("柳州", "Liuzhou", "450200"),
        c("桂林", "Guilin", "450300")]),
    p("460000", 6, false, &[c("海口", "Haikou", "460100"), c("三亚", "Sanya", "460200")]),
    p("500000", 14, true, &[c("渝中区", "Yuzhong", "500103"), c("江北区", "Jiangbei", "500105"),
        c("渝北区", "Yubei", "500112")]),
    p("510000", 22, false, &[c("成都", "Chengdu", "510100"), c("绵阳", "Mianyang", "510700")]),
    p("520000", 5, false, &[c("贵阳", "Guiyang", "520100"), c("遵义", "Zunyi", "520300")]),
    p("530000", 5, false, &[c("昆明", "Kunming", "530100"), c("曲靖", "Qujing", "530300"),
        c("玉溪", "Yuxi", "530400")]),
    p("540000", 2, false, &[c("拉萨", "Lhasa", "540100"), c("日喀则", "Shigatse", "540200")]),
    p("610000", 12, false, &[c("西安", "Xi'an", "610100"), c("宝鸡", "Baoji", "610300"),
        c("咸阳", "Xianyang", "610400")]),
    p("620000", 3, false, &[c("兰州", "Lanzhou", "620100"), c("天水", "Tianshui", "620500")]),
    p("630000", 2, false, &[c("西宁", "Xining", "630100")]),
    p("640000", 2, false, &[c("银川", "Yinchuan", "640100"), c("石嘴山", "Shizuishan", "640200")]),
    p("650000", 3, false, &[c("乌鲁木齐", "Urumqi", "650100"), c("克拉玛依", "Karamay", "650200")]),
];

/// Brand syllables and their pinyin; a brand is two different syllables.
#[rustfmt::skip]
pub static BRAND_SYLLABLES: [(&str, &str); 72] = [
    ("云", "yun"), ("禾", "he"), ("星", "xing"), ("悦", "yue"), ("嘉", "jia"), ("优", "you"),
    ("品", "pin"), ("乐", "le"), ("锦", "jin"), ("鲸", "jing"), ("汇", "hui"), ("森", "sen"),
    ("橙", "cheng"), ("蓝", "lan"), ("青", "qing"), ("麦", "mai"), ("桔", "ju"), ("朗", "lang"),
    ("瑞", "rui"), ("宸", "chen"), ("易", "yi"), ("恒", "heng"), ("达", "da"), ("远", "yuan"),
    ("拓", "tuo"), ("途", "tu"), ("丰", "feng"), ("鑫", "xin"), ("睿", "rui"), ("航", "hang"),
    ("澜", "lan"), ("曦", "xi"), ("晨", "chen"), ("融", "rong"), ("泽", "ze"), ("启", "qi"),
    ("象", "xiang"), ("鹿", "lu"), ("鸿", "hong"), ("雁", "yan"), ("帆", "fan"), ("源", "yuan"),
    ("穗", "sui"), ("茂", "mao"), ("盛", "sheng"), ("川", "chuan"), ("峰", "feng"), ("岚", "lan"),
    ("溪", "xi"), ("桐", "tong"), ("柚", "you"), ("梧", "wu"), ("芯", "xin"), ("贝", "bei"),
    ("果", "guo"), ("竹", "zhu"), ("松", "song"), ("楠", "nan"), ("萃", "cui"), ("臻", "zhen"),
    ("趣", "qu"), ("惠", "hui"), ("邻", "lin"), ("享", "xiang"), ("甄", "zhen"), ("味", "wei"),
    ("鲜", "xian"), ("米", "mi"), ("谷", "gu"), ("舟", "zhou"), ("岭", "ling"), ("湾", "wan"),
];

/// Two-syllable brands that are, or sound like, real companies or products; never generated.
#[rustfmt::skip]
pub static BLOCKED_BRANDS: [&str; 30] = [
    "云集", "易果", "乐购", "瑞星", "嘉禾", "鸿星", "汇源", "优品", "鲜丰", "恒源", "青桔", "蓝鲸",
    "云鲸", "星云", "星途", "麦乐", "松果", "融汇", "恒丰", "汇丰", "嘉德", "臻品", "易购", "惠农",
    "远航", "启航", "达达", "米果", "鲜果", "品味",
];

/// Industries of the holder: Chinese, English and relative share.
pub static INDUSTRIES: [(&str, &str, u32); 10] = [
    ("网络科技", "Network Technology", 30),
    ("电子商务", "E-commerce", 22),
    ("信息技术", "Information Technology", 12),
    ("科技", "Technology", 10),
    ("数字科技", "Digital Technology", 8),
    ("供应链管理", "Supply Chain Management", 6),
    ("互联网科技", "Internet Technology", 5),
    ("商贸", "Trading", 4),
    ("智能科技", "Intelligent Technology", 2),
    ("跨境电子商务", "Cross-border E-commerce", 1),
];

/// Legal form: Chinese suffix, English suffix and relative share.
pub static SUFFIXES: [(&str, &str, u32); 3] = [
    ("有限公司", "Co., Ltd.", 82),
    ("股份有限公司", "Joint Stock Co., Ltd.", 12),
    ("集团有限公司", "Group Co., Ltd.", 6),
];

/// Platform types with relative share (B2C most).
pub static PLATFORM_TYPES: [(PlatformType, u32); 6] = [
    (PlatformType::B2c, 46),
    (PlatformType::B2b, 14),
    (PlatformType::C2c, 7),
    (PlatformType::CrossBorder, 12),
    (PlatformType::O2o, 14),
    (PlatformType::Other, 7),
];

/// Words that follow the brand in a platform name, with their pinyin (used as a subdomain).
#[rustfmt::skip]
pub fn platform_words(t: PlatformType) -> &'static [(&'static str, &'static str)] {
    match t {
        PlatformType::B2c => &[
            ("商城", "shangcheng"), ("优选", "youxuan"), ("严选", "yanxuan"),
            ("好物", "haowu"), ("特卖", "temai"),
        ],
        PlatformType::B2b => &[("批发", "pifa"), ("直供", "zhigong"), ("云仓", "yuncang")],
        PlatformType::C2c => &[("集市", "jishi"), ("二手", "ershou"), ("闲置", "xianzhi")],
        PlatformType::CrossBorder => &[("海购", "haigou"), ("全球购", "quanqiugou")],
        PlatformType::O2o => &[("到家", "daojia"), ("生鲜", "shengxian"), ("同城", "tongcheng")],
        PlatformType::Other => &[("拼团", "pintuan"), ("直播", "zhibo")],
    }
}

/// Development zones found in most large cities.
pub static ZONES: [&str; 3] = ["高新技术产业开发区", "经济技术开发区", "软件园"];

/// Common street names.
#[rustfmt::skip]
pub static ROADS: [&str; 16] = [
    "人民路", "解放路", "中山路", "建设路", "新华路", "文化路", "科技路", "创新路", "高新路",
    "学府路", "长江路", "黄河路", "和平路", "迎宾大道", "工业大道", "世纪大道",
];
