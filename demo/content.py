"""The words of the demo: what Jiuxianqiao residents call 12345 about, who handles it, and what the
street writes while handling it.

Written in the style of the upstream exports (docs/domain.md §8, tests/data/samples/):
"<社区>居民来电:<诉求>". Each category names the department that leads it when the community does
not, and several phrasings, so that similar requests are described in varied wording as real
callers do. The texts at the end are what the people of the demo stories write into the workflow.
"""

# category -> (lead department when the community does not lead, phrasings)
# Categories the city's platform uses that the street has not set up yet: the demo does not create
# them, so the first ticket of each brings it in unconfirmed, for the center to confirm or map
# (intake.categories) — as happens whenever the upstream introduces a new classification.
UPSTREAM_NEW_CATEGORIES = ("买菜难", "老旧小区改造")

CATEGORIES: dict[str, tuple[str, list[str]]] = {
    "噪音扰民": (
        "综合行政执法队",
        [
            "楼下商铺音响声音很大,晚上十点以后还在放音乐,影响休息。",
            "早市摊贩清晨叫卖声音很大,严重影响休息,希望相关部门管理。",
            "附近工地夜间施工,噪音很大,孩子无法入睡。",
            "广场舞音响音量过大,每天晚上持续到九点多。",
        ],
    ),
    "物业管理": (
        "社区建设办公室",
        [
            "老旧小区没有物业,楼道灯坏了很久没人修。",
            "物业不作为,楼道堆物长期无人清理。",
            "小区单元门门禁损坏,外来人员随意进出。",
        ],
    ),
    "排水防汛": (
        "城市管理办公室",
        [
            "雨后路口积水严重,行人无法通过,希望尽快处理。",
            "小区雨水井堵塞,下雨就积水。",
            "地下室进水,担心汛期安全。",
        ],
    ),
    "市容环境": (
        "城市管理办公室",
        [
            "楼下垃圾堆放多日无人清运,气味难闻。",
            "路边有大量小广告,影响市容。",
            "绿地内有人私自种菜,环境脏乱。",
        ],
    ),
    "停车管理": (
        "城市管理办公室",
        [
            "小区内乱停车堵塞消防通道。",
            "路边停车收费不规范,希望核实。",
            "僵尸车长期占用车位,希望清理。",
        ],
    ),
    "无照经营": (
        "综合行政执法队",
        [
            "小区门口有无照游商占道经营,环境脏乱,希望取缔。",
            "路口有流动摊贩夜间烧烤,油烟很大。",
        ],
    ),
    "违法建设": (
        "综合行政执法队",
        [
            "楼顶有人私搭乱建,存在安全隐患。",
            "一层住户私自扩建院墙,占用公共绿地。",
        ],
    ),
    "园林绿化": (
        "城市管理办公室",
        [
            "小区树木枝杈过长遮挡窗户,希望修剪。",
            "大风后有树枝折断悬挂在路边,存在危险。",
        ],
    ),
    "供暖供热": (
        "民生保障办公室",
        [
            "家中暖气不热,室温低于十八度。",
            "暖气管道漏水,找供热公司一直没人来修。",
        ],
    ),
    "养犬管理": (
        "平安建设办公室",
        [
            "有居民遛狗不牵绳,吓到孩子。",
            "楼内有人饲养大型犬,夜间犬吠扰民。",
        ],
    ),
    "买菜难": (
        "营商环境办公室",
        [
            "早市取缔后附近没有买菜的地方,老人买菜不方便。",
            "希望在社区附近设置便民菜站。",
        ],
    ),
    "疫情防控": (
        "社区服务中心",
        [
            "咨询小区封控期间生活物资如何保障。",
            "咨询核酸检测点的开放时间。",
        ],
    ),
    "社会保障": (
        "民生保障办公室",
        [
            "咨询退休人员医保报销如何办理。",
            "咨询低保申请需要准备哪些材料。",
        ],
    ),
    "老旧小区改造": (
        "社区建设办公室",
        [
            "咨询小区老旧改造什么时候开工,外墙保温何时施工。",
            "改造施工材料堆放在楼门口,出行不便。",
        ],
    ),
    "电梯维修": (
        "社区建设办公室",
        [
            "楼内电梯经常停运,老人上下楼困难。",
            "希望老楼加装电梯,咨询办理流程。",
        ],
    ),
    "消防安全": (
        "平安建设办公室",
        [
            "楼道内有人给电动车充电,存在火灾隐患。",
            "楼道消防器材过期,希望更换。",
        ],
    ),
    "燃气安全": (
        "平安建设办公室",
        [
            "楼道里有燃气味,担心泄漏。",
            "咨询燃气表更换的时间安排。",
        ],
    ),
    "垃圾分类": (
        "城市管理办公室",
        [
            "垃圾桶站点设置不合理,离楼门太近,夏天气味大。",
            "小区垃圾分类桶满溢无人清运。",
        ],
    ),
    "道路交通": (
        "城市管理办公室",
        [
            "路口红绿灯时间太短,老人过马路来不及。",
            "人行道地砖破损,容易绊倒行人。",
        ],
    ),
    "邻里纠纷": (
        "社区建设办公室",
        [
            "楼上住户漏水到我家,协商不成,希望社区协调。",
            "邻居在楼道堆放杂物,沟通无果。",
        ],
    ),
    "劳动纠纷": (
        "民生保障办公室",
        [
            "所在单位拖欠工资三个月,希望帮助协调。",
            "装修工人被拖欠工钱,希望帮助追讨。",
        ],
    ),
}

# Recurring clusters (hot spots): one place, one cause, reported by different callers over a few
# weeks in varied wording -- what proactive handling (未诉先办) looks for.
HOT_SPOTS: list[dict] = [
    {
        "community": "红霞路社区",
        "category": "噪音扰民",
        "address": "朝阳区酒仙桥红霞路早市",
        "phrasings": [
            "红霞路早市每天早上五点多就开始用喇叭叫卖,吵得没法睡觉。",
            "早市商贩天不亮就卸货吆喝,红霞路这边严重扰民,希望管一管。",
            "红霞路早市清晨噪音太大,老人孩子都休息不好。",
            "投诉红霞路早市摊贩清晨大声叫卖,已经持续好几周了。",
            "每天凌晨早市进货车辆鸣笛、摊贩吆喝,住在红霞路的居民无法休息。",
        ],
    },
    {
        "community": "驼房营西里社区",
        "category": "停车管理",
        "address": "朝阳区酒仙桥驼房营西里12号楼",
        "phrasings": [
            "驼房营西里12号楼前的消防通道被私家车长期占用。",
            "12号楼门前消防通道停满了车,消防车根本进不来。",
            "驼房营西里小区消防通道又被堵了,希望清理并设置禁停标志。",
            "反映驼房营西里12号楼附近车辆占用消防通道,存在安全隐患。",
        ],
    },
    {
        "community": "电子球场路社区",
        "category": "排水防汛",
        "address": "朝阳区酒仙桥电子球场路与酒仙桥路交叉口",
        "phrasings": [
            "电子球场路路口一下雨就积水,水深没过脚踝。",
            "酒仙桥路和电子球场路交叉口雨后积水,行人只能绕行。",
            "电子球场路口排水不畅,每次下雨都成了河,希望疏通。",
        ],
    },
    {
        "community": "高家园社区",
        "category": "供暖供热",
        "address": "朝阳区酒仙桥高家园小区3号楼",
        "phrasings": [
            "高家园3号楼暖气不热,室温只有十五度。",
            "我们3号楼整栋楼暖气都不热,老人冻得受不了。",
            "高家园小区3号楼供暖温度不达标,找供热站没人处理。",
            "反映高家园3号楼暖气温度低,家里要开电暖器。",
        ],
    },
    {
        "community": "大山子社区",
        "category": "无照经营",
        "address": "朝阳区酒仙桥大山子环岛",
        "phrasings": [
            "大山子环岛附近晚上有无照游商摆摊,占用人行道。",
            "大山子环岛路边流动摊贩卖水果,堵塞通行。",
            "投诉大山子环岛夜市无照经营,垃圾遍地。",
        ],
    },
    {
        "community": "东路社区",
        "category": "噪音扰民",
        "address": "朝阳区酒仙桥东路工地",
        "phrasings": [
            "东路社区旁边工地夜里十一点还在施工,噪音很大。",
            "酒仙桥东路工地夜间浇筑混凝土,吵得无法休息。",
            "东路工地深夜施工扰民,希望查处。",
        ],
    },
    {
        "community": "怡思苑社区",
        "category": "电梯维修",
        "address": "朝阳区酒仙桥怡思苑8号楼",
        "phrasings": [
            "怡思苑8号楼电梯又坏了,这个月已经第三次。",
            "8号楼电梯频繁故障停运,有老人被困过。",
            "怡思苑小区8号楼电梯维修不及时,高层住户出行困难。",
        ],
    },
    {
        "community": "中北路社区",
        "category": "市容环境",
        "address": "朝阳区酒仙桥中北路垃圾站",
        "phrasings": [
            "中北路垃圾站垃圾满溢,好几天没有清运,臭味很大。",
            "中北路小区垃圾站周边脏乱,苍蝇很多。",
            "反映中北路垃圾站清运不及时,垃圾堆到了路上。",
        ],
    },
]

CALLER_OPENINGS = ["{c}居民来电:", "{c}居民来电反映:", "市民来电:{c}", "来电人称:", "{c}居民反映:"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "176",
    "177",
    "178",
    "180",
    "181",
    "185",
    "186",
    "187",
    "188",
    "189",
]


# --- what the people of the demo stories write and decide (demo/stories.py) ---

# Where the center sends a matter by its substance rather than its category (a tenth of the tickets):
# policy questions to the service center, shops and markets to the business office, and so on.
ROUTED_DEPARTMENTS = ["社区服务中心"] * 3 + ["营商环境办公室"] * 3 + ["民生保障办公室", "平安建设办公室"]

CONTACT_OUTCOMES = [
    "已电话联系诉求人,约定上门查看。",
    "已联系诉求人,说明将协调相关部门处理。",
    "诉求人表示理解,同意等待处理结果。",
    "已与诉求人约定明天上午到现场核实。",
]
HANDLING_NOTES = [
    "已到现场查看,情况属实,正在协调处理。",
    "已联系物业及相关单位,约定本周内整改。",
    "已安排人员现场处置,将持续跟进。",
    "已约谈相关责任人,要求限期整改。",
    "会同执法队现场检查,已下达整改通知。",
]
CO_HANDLER_NOTES = ["已配合主办单位到现场核实。", "已提供相关政策依据,配合主办单位答复。"]
REPLIES = [
    "经核实,诉求反映情况属实,已协调相关部门完成整改,并向诉求人反馈处理结果。",
    "已到现场处置完毕,后续将加强巡查,防止问题反复。",
    "已向诉求人详细解释相关政策,并提供办理渠道,诉求人表示认可。",
    "已督促责任单位整改到位,诉求人对处理结果表示满意。",
]
REVISED_REPLY = "根据领导意见补充了整改时限和后续巡查安排:" + REPLIES[0]
# what the center publishes of the outcome (the public reply, Open311's status notes): no names, no phones
PUBLIC_REPLIES = [
    "已协调相关单位完成整改,将持续巡查。",
    "已到现场处置完毕,问题已解决。",
    "已向诉求人解释相关政策并提供办理渠道。",
]
RETURN_REASONS = ["答复内容过于简单,请补充具体处理措施。", "请写明整改完成时间。"]
REFUSAL_REASONS = ["该事项不属于本单位职责,请改派相关部门。"]
SEND_BACK_REASONS = ["非本街道辖区事项,请退回上级平台。", "诉求地址不在本街道辖区。"]
SEND_BACK_DECLINED = "经核实属于本街道辖区,请继续办理。"
EXTENSION_REASONS = ["涉及多个部门协调,需延长办理时间。", "需等待施工队进场,申请延期。"]
EXTENSION_REFUSED = "请抓紧办理,不予延期。"
REOPEN_REASONS = ["回访未解决,二次办理。", "诉求人对处理结果不满意,请再次处理。"]
CLOSE_REASONS = ["已向诉求人解释政策,不再二次办理。", "诉求超出政策范围,已做好解释工作。"]
# beside ExclusionReason.POLICY_LIMIT, UNREASONABLE and DUPLICATE, in that order (demo/stories.py)
EXCLUSION_TEXTS = [
    "诉求超出现行政策范围,已多次解释。",
    "诉求人要求不合理,已做好解释工作。",
    "重复诉求,已在前单中处理完毕。",
]
SUPERVISION_NOTES = ["逾期未办结,街道督办。"]
TAKE_NOTES = ["疑难件,由我牵头协调。"]
