"""The demo catalog's text: categories, anchors, albums and tracks, all written for Ting's demo.

Every name, event and quote here is invented for the demo (the news city 滨江市 does not
exist). Most anchors write Simplified Chinese; 島嶼說書人 writes Traditional Chinese, so the
per-reader conversion shows on a fresh install. Two albums are a deliberate trap for later
recommendation work: 科技早知道 has a track about leaked photos of a 小米汽车 (the company),
and 小米的奇妙一天 is a children's series about a girl named 小米.

Intros are rich text (sanitised again by the catalog services); each paragraph of a track's
`intro` is one `<p>`. Album intros end with `DEMO_NOTE` so nobody mistakes them for real.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Jingle = Literal["", "music_box", "gavel"]

DEMO_NOTE_HANS = (
    "<p><em>这是 Ting（聽）的演示内容：节目、人物与事件均为虚构，音频由程序合成。</em></p>"
)
DEMO_NOTE_HANT = (
    "<p><em>這是 Ting（聽）的示範內容：節目、人物與事件皆為虛構，音訊由程式合成。</em></p>"
)


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name_zh_hans: str
    name_zh_hant: str
    name_en: str
    position: int


@dataclass(frozen=True)
class VoiceSpec:
    """How an anchor sounds: the synthetic voice's pitch ratio and espeak-ng's settings."""

    pitch: float = 1.0
    espeak_pitch: int = 50
    espeak_speed: int = 165


@dataclass(frozen=True)
class AnchorSpec:
    key: str  # the account is `demo-<key>`
    display_name: str
    bio: str
    voice: VoiceSpec
    verified: bool = False
    traditional: bool = False

    @property
    def username(self) -> str:
        return f"demo-{self.key}"


@dataclass(frozen=True)
class TrackSpec:
    title: str
    intro: str  # paragraphs separated by newlines; inline markup allowed
    seconds: float | None = None  # None: the album's range decides

    def intro_html(self) -> str:
        return "".join(f"<p>{line.strip()}</p>" for line in self.intro.split("\n") if line)


@dataclass(frozen=True)
class AlbumSpec:
    key: str  # ASCII; names the uploaded files (`tech-daily-03.opus`)
    anchor: str  # AnchorSpec.key
    category: str  # CategorySpec.slug
    title: str
    intro: str  # rich text, without the demo note
    tags: tuple[str, ...]
    tracks: tuple[TrackSpec, ...]
    status: Literal["serialising", "finished"] = "serialising"
    track_order: Literal["asc", "desc"] = "asc"
    visibility: Literal["public", "unlisted"] = "public"
    language: Literal["zh", "en", "other"] = "zh"
    unit: str = "期"  # 第3期, 第3集, 第3讲 …
    seconds: tuple[int, int] = (20, 40)  # the usual track length, drawn per track
    cadence_days: float = 7.0  # time between two episodes
    latest_hours_ago: float = 24.0  # when the newest episode came out
    jingle: Jingle = ""
    music_bed: bool = False
    traditional: bool = False
    # What the "anchor" uploads: small Ogg Opus mostly; MP3, AAC and FLAC for variety.
    file_format: Literal["opus", "flac", "m4a", "mp3"] = "opus"

    def intro_html(self) -> str:
        return self.intro + (DEMO_NOTE_HANT if self.traditional else DEMO_NOTE_HANS)


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec("news", "新闻", "新聞", "News", 0),
    CategorySpec("tech", "科技", "科技", "Tech", 1),
    CategorySpec("business", "商业财经", "商業財經", "Business", 2),
    CategorySpec("kids", "儿童故事", "兒童故事", "Kids' stories", 3),
    CategorySpec("history", "历史", "歷史", "History", 4),
    CategorySpec("language", "外语学习", "外語學習", "Languages", 5),
    CategorySpec("comedy", "相声喜剧", "相聲喜劇", "Comedy", 6),
)

ANCHORS: tuple[AnchorSpec, ...] = (
    AnchorSpec(
        key="shengbo",
        display_name="声波科技社",
        bio=(
            "<p>一群爱折腾数码产品的编辑，每天用几分钟讲清楚手机、电动车和人工智能圈的新鲜事。</p>"
            "<p><strong>更新时间：</strong>工作日早上七点；早间新闻每天更新。</p>"
            "<p><em>演示账号，内容为虚构。</em></p>"
        ),
        voice=VoiceSpec(pitch=1.0, espeak_pitch=45, espeak_speed=175),
        verified=True,
    ),
    AnchorSpec(
        key="linxiao",
        display_name="林晓说财经",
        bio=(
            "<p>前银行分析师，现在做一件更难的事：把财经新闻讲成人话。</p>"
            "<ul><li>不荐股</li><li>不带单</li><li>只讲道理</li></ul>"
            "<p><em>演示账号，内容为虚构。</em></p>"
        ),
        voice=VoiceSpec(pitch=1.3, espeak_pitch=70, espeak_speed=165),
    ),
    AnchorSpec(
        key="tangdou",
        display_name="糖豆妈妈讲故事",
        bio=(
            "<p>两个孩子的妈妈，每晚睡前讲一个故事。故事都是自己编的，"
            "主角常常是家里的小朋友。</p>"
            "<p>适合三到八岁的孩子，<strong>建议睡前收听</strong>。</p>"
            "<p><em>演示账号，内容为虚构。</em></p>"
        ),
        voice=VoiceSpec(pitch=1.35, espeak_pitch=80, espeak_speed=140),
    ),
    AnchorSpec(
        key="daoyu",
        display_name="島嶼說書人",
        bio=(
            "<p>在臺北教了二十年歷史的老師，退休後開始錄節目。</p>"
            "<p>相信歷史不是背年代，而是<strong>聽故事</strong>。</p>"
            "<p><em>示範帳號，內容皆為虛構。</em></p>"
        ),
        voice=VoiceSpec(pitch=0.88, espeak_pitch=30, espeak_speed=150),
        traditional=True,
    ),
    AnchorSpec(
        key="laozhou",
        display_name="老周学外语",
        bio=(
            "<p>做过外贸、带过旅行团，会一点英语和日语。</p>"
            "<p>节目只教最常用的句子，每天几分钟，贵在坚持。</p>"
            "<p><em>演示账号，内容为虚构。</em></p>"
        ),
        voice=VoiceSpec(pitch=0.95, espeak_pitch=40, espeak_speed=155),
    ),
    AnchorSpec(
        key="xiaoxiao",
        display_name="笑笑茶馆",
        bio=(
            "<p>几个爱说相声的年轻人，在小剧场里演了五年。</p>"
            "<p>节目里的段子都是原创，欢迎来茶馆坐坐，<strong>泡壶茶，听段儿</strong>。</p>"
            "<p><em>演示账号，内容为虚构。</em></p>"
        ),
        voice=VoiceSpec(pitch=1.1, espeak_pitch=60, espeak_speed=185),
    ),
)

T = TrackSpec

ALBUMS: tuple[AlbumSpec, ...] = (
    AlbumSpec(
        key="tech-daily",
        anchor="shengbo",
        category="tech",
        title="科技早知道",
        intro=(
            "<p>每个工作日早上，用三五分钟聊聊手机、电动车、芯片和互联网行业的新鲜事。</p>"
            "<p>只讲核实过的信息；传闻会明确标注<strong>“传闻”</strong>。</p>"
        ),
        tags=("科技", "数码", "汽车", "新闻"),
        track_order="desc",
        seconds=(20, 30),
        cadence_days=1,
        latest_hours_ago=3,
        tracks=(
            T(
                "折叠屏手机的铰链，为什么越做越薄",
                "今年的折叠屏新机普遍比去年薄了一两毫米，功劳很大一部分在铰链。\n"
                "这一期拆开讲讲水滴形铰链和多连杆结构的区别。",
            ),
            T(
                "小米汽车疑似新车谍照流出，路试伪装车亮相",
                "【传闻】社交平台上流传一组疑似<strong>小米汽车</strong>新车路试的照片，"
                "车身裹着黑白伪装膜，尾部造型与现款差异明显。\n"
                "照片真假尚无定论。我们聊聊车企为什么总在路试阶段“被偷拍”，"
                "以及谍照里哪些细节值得看。",
            ),
            T(
                "快充功率还要卷到多少瓦",
                "从 65 瓦到 120 瓦再到更高，快充数字一路上涨。\n"
                "电池寿命会不会受影响？发热怎么控制？我们请教了一位电源工程师。",
            ),
            T(
                "电动车冬季续航打折，问题出在哪",
                "一到冬天，不少车主发现表显续航掉得厉害。\n"
                "本期聊聊低温对电池的影响，以及热泵空调到底能省多少电。",
            ),
            T(
                "手机影像进入“一英寸”时代之后",
                "大底传感器几乎成了旗舰手机的标配。\n"
                "传感器变大带来了什么，又有哪些代价？本期用几个拍照场景说明白。",
            ),
            T(
                "大模型装进手机，离线也能用了吗",
                "越来越多的手机宣传“端侧大模型”。\n"
                "本地运行和云端运行各有什么好处？耗电和隐私又怎么权衡？",
            ),
            T(
                "充电桩够不够用？聊聊高速服务区的节假日",
                "每逢长假，高速服务区的充电桩前总会排起长队。\n"
                "本期算一笔账：一个服务区需要多少桩，电网又要做哪些准备。",
            ),
            T(
                "芯片新闻里的“制程”到底指什么",
                "七纳米、五纳米……这些数字如今更像工艺代号，而不是真实的尺寸。\n"
                "三分钟带你看懂芯片新闻里最常见的几个词。",
            ),
            T(
                "旧手机别急着扔：回收、维修与数据清除",
                "换了新手机，旧手机该怎么处理？\n"
                "我们整理了恢复出厂设置前<strong>必须做的三件事</strong>，以及几种常见的回收渠道。",
            ),
            T(
                "城市领航辅助能放手吗",
                "城市领航辅助功能越来越常见，但它仍然是<strong>辅助驾驶</strong>，不是自动驾驶。\n"
                "本期说说使用时驾驶员必须留意的几个场景。",
            ),
        ),
    ),
    AlbumSpec(
        key="kids-xiaomi",
        anchor="tangdou",
        category="kids",
        title="小米的奇妙一天",
        intro=(
            "<p>小米是一个六岁的小女孩，扎着两个小辫子，口袋里总装着一颗会发光的小石头。</p>"
            "<p>每一集，小米都会遇到一件奇妙的小事，也学会一个小道理。"
            "适合三到八岁的小朋友。</p>"
        ),
        tags=("儿童故事", "睡前故事", "成长"),
        unit="集",
        seconds=(25, 40),
        cadence_days=3,
        latest_hours_ago=30,
        jingle="music_box",
        music_bed=True,
        tracks=(
            T("小米和会说话的雨伞", "下雨天，小米的红雨伞忽然开口说话了：“请带我去看看彩虹吧！”"),
            T(
                "小米的第一颗牙掉了",
                "门牙松了好几天，小米既害怕又好奇。\n牙齿掉下来以后，会去哪里呢？",
            ),
            T(
                "小米去奶奶家",
                "奶奶家的院子里有一只大白鹅，总是追着小米跑。\n这一次，小米决定和它交朋友。",
            ),
            T("小米学骑自行车", "摔倒了一次、两次、三次……小米还要不要继续学？"),
            T("小米和月亮捉迷藏", "坐在车里，小米发现月亮一直跟着自己走。\n它是不是想和我玩呀？"),
            T("小米的生日蛋糕", "小米想亲手给爸爸做一个生日蛋糕，厨房里可热闹了。"),
            T("小米在幼儿园交了新朋友", "新来的小男孩不爱说话，小米用一幅画打开了他的心门。"),
            T("小米种下了一颗向日葵", "每天浇水、每天等待，小小的种子什么时候才会发芽呢？"),
        ),
    ),
    AlbumSpec(
        key="news-morning",
        anchor="shengbo",
        category="news",
        title="早间新闻速览",
        intro=(
            "<p>每天早上一分钟，听完滨江市的天气、交通和民生新闻。</p>"
            "<p>滨江市是为演示虚构的城市，新闻内容均为编写。</p>"
        ),
        tags=("新闻", "早报", "城市"),
        track_order="desc",
        seconds=(20, 30),
        cadence_days=1,
        latest_hours_ago=6,
        file_format="mp3",
        tracks=(
            T("滨江地铁三号线延长运营至午夜", "为方便夜间出行，三号线末班车自今日起推迟到零点。"),
            T("本周末气温骤降，注意添衣", "受冷空气影响，周末最低气温将降至五度左右，并伴有小雨。"),
            T(
                "老城区十二条背街小巷完成改造",
                "改造后新增路灯、休息座椅和无障碍坡道。\n居民可以通过市民热线反馈意见。",
            ),
            T("市图书馆推出夜间自习室", "自习室每晚开放到十点，需要提前在线预约。"),
            T(
                "秋季马拉松开放报名，名额一万五千个",
                "报名截至本月底，报名人数超过名额时将抽签决定。",
            ),
            T("湿地公园迎来首批越冬候鸟", "观鸟时请保持距离，<strong>不要投喂</strong>。"),
            T("社区食堂试点“长者午餐”优惠", "六十五岁以上的老人凭证件可以享受午餐折扣。"),
            T(
                "新能源公交线路增至四十条",
                "全市公交电动化比例进一步提高，部分线路首末班时间有调整。",
            ),
        ),
    ),
    AlbumSpec(
        key="biz-3min",
        anchor="linxiao",
        category="business",
        title="三分钟财经",
        intro=(
            "<p>每期三分钟，把一条财经新闻背后的道理讲明白。</p>"
            "<p><strong>不构成任何投资建议。</strong></p>"
        ),
        tags=("财经", "经济", "商业"),
        track_order="desc",
        seconds=(20, 30),
        cadence_days=2,
        latest_hours_ago=20,
        tracks=(
            T("利率下调了，我的房贷会变吗", "贷款利率的调整有时间差，关键看合同里约定的重定价日。"),
            T(
                "为什么奶茶店开得比便利店还多",
                "门槛低、回本快、标准化程度高，是茶饮连锁扩张的三大原因。\n"
                "但同质化竞争也让不少门店撑不过一年。",
            ),
            T(
                "读懂 CPI：物价涨多少才算多",
                "CPI 是一篮子商品价格的加权平均，不等于你在菜市场感受到的物价。",
            ),
            T("直播带货的钱都被谁赚走了", "坑位费、佣金、退货率……一场直播的账其实很复杂。"),
            T(
                "出口订单回暖了吗？听听工厂老板怎么说",
                "我们和三位做外贸的朋友聊了聊今年的订单、运费与汇率。",
            ),
            T("会员制超市凭什么让人心甘情愿交年费", "会员费本身就是利润来源，也是筛选顾客的门槛。"),
            T("电动车价格战，谁能撑到最后", "降价的背后是电池成本下降，也是规模效应的比拼。"),
            T("年轻人为什么爱上“特种兵式旅游”", "时间短、预算低、打卡密集，背后是消费观念的变化。"),
        ),
    ),
    AlbumSpec(
        key="history-song",
        anchor="daoyu",
        category="history",
        title="宋朝人的一天",
        intro=(
            "<p>如果穿越回北宋的汴京，從早到晚會過上怎樣的一天？</p>"
            "<p>這個節目從吃飯、上班、逛街到夜生活，帶你看看宋朝人的日常。</p>"
        ),
        tags=("歷史", "宋朝", "文化"),
        unit="講",
        seconds=(20, 35),
        cadence_days=7,
        latest_hours_ago=50,
        traditional=True,
        tracks=(
            T("五更天：汴京城醒了", "天還沒亮，報曉的行者已經敲著鐵牌走過大街小巷。"),
            T("早餐吃什麼：從胡餅到煎餅", "宋朝的早點攤已經相當豐富，有些吃法一直流傳到今天。"),
            T(
                "上朝與點卯：宋朝官員的一天",
                "宋朝官員幾點上朝、怎麼請假、一年有多少假期？\n這一講從制度說到日常。",
                seconds=180,
            ),
            T("逛瓦子：宋朝人的遊樂場", "說書、雜技、傀儡戲，瓦子裡的熱鬧不輸今天的商場。"),
            T("宋朝人也叫外送", "酒樓和食店提供送餐服務，街上還有專門替人跑腿的「閒漢」。"),
            T("夜市不打烊", "宵禁鬆弛之後，汴京的夜市可以一直熱鬧到三更。"),
            T("喝茶的講究：點茶與鬥茶", "宋人喝茶要先把茶餅碾成末，再用茶筅擊拂出細密的泡沫。"),
        ),
    ),
    AlbumSpec(
        key="english-daily",
        anchor="laozhou",
        category="language",
        title="每天五分钟英语口语",
        intro=(
            "<p>每天一个生活场景，学三到五句最常用的英语口语。</p>"
            "<p>建议<strong>跟读三遍</strong>，听完就用。</p>"
        ),
        tags=("英语", "口语", "外语学习"),
        language="en",
        unit="课",
        seconds=(20, 30),
        cadence_days=2,
        latest_hours_ago=12,
        file_format="m4a",
        tracks=(
            T(
                "见面打招呼：How's it going?",
                "除了 How are you，老朋友之间更常说 <strong>How's it going?</strong>",
            ),
            T(
                "在咖啡馆点单",
                "学会 <strong>Can I get a latte, please?</strong>，再学怎么说“少冰”和“带走”。",
            ),
            T(
                "问路与指路",
                "<strong>Excuse me, how do I get to the station?</strong>\n"
                "听懂对方的回答同样重要。",
            ),
            T(
                "酒店入住",
                "预订、入住、提出需求：<strong>I have a reservation under Zhou.</strong>",
            ),
            T("在超市结账", "收银员常问的几句话，提前听熟就不慌。"),
            T(
                "看病时怎么描述症状",
                "<strong>I've had a headache since yesterday.</strong>\n"
                "用现在完成时说明症状持续了多久。",
            ),
            T(
                "礼貌地拒绝别人",
                "拒绝也可以很友好：<strong>Thanks, but I'll pass this time.</strong>",
            ),
            T(
                "电话英语：留言与回电",
                "<strong>Could you ask her to call me back?</strong>\n"
                "电话里说话要慢一点、清楚一点。",
            ),
        ),
    ),
    AlbumSpec(
        key="comedy-new",
        anchor="xiaoxiao",
        category="comedy",
        title="相声新说",
        intro=(
            "<p>传统相声的说学逗唱，配上当代年轻人的烦恼。</p>"
            "<p>每回一个原创小段子，听完笑一笑，烦恼少一少。</p>"
        ),
        tags=("相声", "喜剧", "原创"),
        unit="回",
        seconds=(20, 35),
        cadence_days=5,
        latest_hours_ago=36,
        jingle="gavel",
        tracks=(
            T("我的智能音箱不听话", "让它开灯，它放歌；让它放歌，它报天气。"),
            T("相亲简历", "对方说自己“有房有车”，仔细一问：房是租的，车是共享单车。"),
            T("减肥大计", "从“明天开始”到“下周一开始”，减肥计划永远在路上。"),
            T("外卖备注", "“不要香菜，多放辣，辣不要太辣。”商家看了直挠头。"),
            T("我家的猫是领导", "早上五点准时叫醒，晚上检查工作，猫主子的规矩比公司还严。"),
            T(
                "过年回家答记者问",
                "“工作怎么样？”“有对象没？”“一个月挣多少？”一场春节“新闻发布会”。",
            ),
        ),
    ),
    AlbumSpec(
        key="ai-plain",
        anchor="shengbo",
        category="tech",
        title="AI 大白话",
        intro=(
            "<p>不用公式，也不堆术语，用生活里的例子讲清楚人工智能是怎么回事。</p>"
            "<p>适合零基础的朋友，也适合想给爸妈解释 AI 的你。</p>"
        ),
        tags=("人工智能", "AI", "科普"),
        status="finished",
        unit="讲",
        seconds=(20, 35),
        cadence_days=7,
        latest_hours_ago=9 * 24,
        tracks=(
            T("机器是怎么“学习”的", "从教小朋友认猫说起：给足够多的例子，再告诉它哪里错了。"),
            T(
                "大语言模型为什么会一本正经地胡说",
                "模型擅长写出“看起来对”的句子，却不一定知道什么是真的。\n"
                "这一讲解释“幻觉”从哪来，以及使用时怎么核对。",
            ),
            T("图片是怎么被“画”出来的", "扩散模型像是把一张满是噪点的图片，一步一步擦干净。"),
            T(
                "训练一个模型要花多少电",
                "算力、数据和电力，是大模型的三大成本。\n"
                "这一讲用一个家庭一年的用电量做尺子，估算训练一次要花多少电。",
                seconds=120,
            ),
            T("AI 会改变哪些工作", "与其担心被取代，不如先看看哪些工作环节最容易被自动化。"),
            T(
                "和 AI 相处的五条建议（完结篇）",
                "最后一讲，把前面的内容收成五条实用建议。\n感谢一路收听，本专辑到此完结。",
            ),
        ),
    ),
    AlbumSpec(
        key="money-basics",
        anchor="linxiao",
        category="business",
        title="普通人的理财课",
        intro=(
            "<p>七节课，从记账讲到基金，帮你建立一套稳健的个人理财习惯。</p>"
            "<ul><li>第一步：弄清钱去了哪</li><li>第二步：留好应急金</li>"
            "<li>第三步：再谈投资</li></ul>"
            "<p>本课程不推荐任何具体产品。</p>"
        ),
        tags=("理财", "财经", "入门"),
        status="finished",
        unit="课",
        seconds=(20, 35),
        cadence_days=7,
        latest_hours_ago=20 * 24,
        tracks=(
            T("记账不是为了省钱", "记账的目的，是看清自己的钱都花在了哪里。"),
            T("应急金该存多少", "一般建议准备三到六个月的生活费，放在随时能取出来的地方。"),
            T(
                "信用卡的正确打开方式",
                "按时全额还款，信用卡就是免费的短期借款；否则，利息相当惊人。",
            ),
            T(
                "复利的魔法与陷阱",
                "复利让时间成为朋友，但“稳赚高收益”的承诺往往藏着风险。\n"
                "这一课用几个简单的算例说明。",
                seconds=150,
            ),
            T("基金定投适合谁", "定投能摊平成本，但前提是长期坚持和分散投资。"),
            T("保险先买什么", "先保障、后理财；先大人、后孩子。"),
            T(
                "给未来的自己写一份理财计划",
                "最后一课，我们一起把目标、期限和预算写下来。\n课程到此完结，谢谢收听。",
            ),
        ),
    ),
    AlbumSpec(
        key="kids-forest",
        anchor="tangdou",
        category="kids",
        title="森林晚安故事",
        intro=(
            "<p>森林里住着刺猬、松鼠、猫头鹰，还有一只总是睡不着的小熊。</p>"
            "<p>六个温柔的晚安故事，陪孩子慢慢进入梦乡。</p>"
        ),
        tags=("睡前故事", "动物", "儿童故事"),
        status="finished",
        unit="集",
        seconds=(25, 40),
        cadence_days=4,
        latest_hours_ago=15 * 24,
        jingle="music_box",
        music_bed=True,
        file_format="flac",
        tracks=(
            T("睡不着的小熊", "小熊数了一百只羊，还是睡不着。\n猫头鹰爷爷教了它一个好办法。"),
            T("刺猬的秋天储藏室", "刺猬把苹果扎在背上运回家，可是储藏室好像有点小。"),
            T("松鼠丢了一颗松果", "松鼠找遍了整棵树，松果到底去哪儿了？"),
            T("萤火虫的小灯笼", "一只小萤火虫的灯笼不亮了，森林里的朋友们一起想办法。"),
            T("下雪那天的森林", "第一场雪落下来，小动物们都在做什么呢？"),
            T(
                "晚安，森林（完结篇）",
                "月亮升起来了，森林里的每一位朋友都要说晚安。\n"
                "本专辑到此完结，祝小朋友们天天好梦。",
            ),
        ),
    ),
    AlbumSpec(
        key="silk-road",
        anchor="daoyu",
        category="history",
        title="絲路駝鈴",
        intro=(
            "<p>從長安出發，穿過河西走廊，一路向西。</p>"
            "<p>六講節目，說說絲綢之路上的商人、僧侶與使者。</p>"
        ),
        tags=("歷史", "絲綢之路", "文化"),
        status="finished",
        unit="講",
        seconds=(20, 35),
        cadence_days=7,
        latest_hours_ago=30 * 24,
        traditional=True,
        tracks=(
            T("張騫出使西域", "一次原本為了結盟的出使，意外打開了東西方交流的大門。"),
            T("河西走廊上的四座城", "武威、張掖、酒泉、敦煌，每座城都有自己的故事。"),
            T("駱駝為什麼是沙漠之舟", "耐渴、耐熱、能負重，駱駝是商隊不可缺少的夥伴。"),
            T("敦煌的壁畫在說什麼", "洞窟裡的壁畫，記錄了一千多年間的信仰與生活。"),
            T("絲路上交換的不只是絲綢", "葡萄、胡椒、玻璃、紙張……商品的流動也帶來了技術與觀念。"),
            T(
                "駝鈴聲遠（完結篇）",
                "海上航路興起之後，陸上絲路漸漸沉寂。\n本專輯到此完結，感謝收聽。",
            ),
        ),
    ),
    AlbumSpec(
        key="japanese-travel",
        anchor="laozhou",
        category="language",
        title="旅行日语五十句",
        intro=(
            "<p>去日本自由行之前，花半小时学会五十句旅行日语。</p>"
            "<p>本专辑设为<strong>仅凭链接可见</strong>，不会出现在首页和分类列表里，"
            "用来演示不公开上架的专辑。</p>"
        ),
        tags=("日语", "旅行", "外语学习"),
        status="finished",
        visibility="unlisted",
        language="other",
        unit="课",
        seconds=(20, 30),
        cadence_days=3,
        latest_hours_ago=40 * 24,
        tracks=(
            T("打招呼与道谢：こんにちは、ありがとう", "最基本也最常用的几句，先从这里开始。"),
            T("在便利店：これください", "指着商品说“这个，麻烦了”，就能完成购物。"),
            T("坐电车：のりかえはどこですか", "在哪里换乘？下一站是哪里？"),
            T("在餐厅点菜", "几位、有没有中文菜单、买单怎么说。"),
            T("住温泉旅馆的礼仪", "入住、用餐、泡汤，都有一些需要注意的小规矩。"),
            T(
                "遇到麻烦时求助（完结篇）",
                "迷路、丢东西、身体不舒服时，这几句能帮上忙。\n本专辑到此完结，祝旅途愉快。",
            ),
        ),
    ),
)

# `ting demo --quick` (tests): two albums that keep the 小米 trap, two short tracks each.
QUICK_ALBUMS = ("tech-daily", "kids-xiaomi")
QUICK_TRACKS_PER_ALBUM = 2
QUICK_TRACK_SECONDS = 3.0


def anchor_spec(key: str) -> AnchorSpec:
    return next(spec for spec in ANCHORS if spec.key == key)
