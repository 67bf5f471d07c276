"""How the staff member addresses the customer ("刘师傅", "王姐", "阿叔"), and whether it is the wrong name or the wrong
sex. Surnames and terms of address are closed classes of the language, so a rule is exact here.

Round 18's players called a 52-year-old man "李孃孃", a woman "阿叔" and the owner Zhou "韦老板", and reviewers faulted a
customer who let it pass: a real one says "我姓刘".
"""

from __future__ import annotations

import re

# The commonest Chinese surnames (single characters), enough for how staff address a customer; those that are also
# common words after 小 or 老 (师, 时, 和, 明, 万, 成...) are left out, so "老师您好" is no surname.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤温康施牛樊葛邢齐易乔伍庞颜"
    "倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶牟艾尤穆农司卓吉缪项芦麦褚娄窦戚岑景党宫费卜冷晏席卫柏宗瞿桂佟臧闵苟邬卞姬仇栾隋"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩佘池麻苑迟邝"
)
# Terms of address by the sex they assume; longer first, so "大姐" is read before "姐".
_FEMALE = ("孃孃", "嬢嬢", "阿姨", "大姐", "大妈", "阿婆", "奶奶", "婶子", "女士", "小姐", "美女", "姐", "姨", "婶")
_MALE = (
    "叔叔",
    "阿叔",
    "大叔",
    "大哥",
    "大爷",
    "大伯",
    "爷爷",
    "阿公",
    "先生",
    "兄弟",
    "老弟",
    "帅哥",
    "哥",
    "叔",
    "伯",
)
_NEUTRAL = ("老师", "老板", "师傅")  # with a surname: only the surname can be wrong
_TITLES = "|".join(_FEMALE + _MALE + _NEUTRAL)
# before the address: the start of a clause, an interjection ("要得张姐"), or a goodbye it ends ("慢走张哥")
_BEFORE = r"(?:^|(?<=[,,。!!??、;; ()()])|(?<=[哦嗯哎诶啊呀哟喂好得走见]))"
# after it: the end of a clause, a pronoun it leads into ("王哥您看"), a particle, or "是" asking ("李孃孃是吧");
# "林姐是我们这边的理财经理" says who someone else is
_AFTER = r"(?=$|[,,。!!??、;; ()()~]|[您你啊呀哈呢吧嘛]|是(?:吧|吗|么|啵|不是))"
_ADDRESS = re.compile(f"{_BEFORE}(?P<surname>[{SURNAMES}])?(?P<title>{_TITLES})" + _AFTER)
_LITTLE_OLD = re.compile(f"{_BEFORE}[小老](?P<surname>[{SURNAMES}])" + _AFTER)


# a sentence that speaks to someone else: a colleague the customer is introduced to ("小王,这位先生想了解下大额
# 存单", "李姐,这是陈总"), or someone on the phone
_TO_SOMEONE_ELSE = re.compile("这位|这是|有位|介绍|电话|[((]对")
_SENTENCE = re.compile("[^。!?!?]+")


def addresses(text: str) -> list[tuple[str, str]]:
    """(surname or "", term of address) for each way the text speaks to the customer by name or title."""
    found: list[tuple[str, str]] = []
    for sentence in _SENTENCE.findall(text.replace("谢谢", "谢谢,")):  # "谢谢老板": no Mr Xie
        if _TO_SOMEONE_ELSE.search(sentence):
            continue
        found += [(m.group("surname") or "", m.group("title")) for m in _ADDRESS.finditer(sentence)]
        found += [(m.group("surname"), "") for m in _LITTLE_OLD.finditer(sentence)]
    return found


def misaddressed(text: str, surname: str, sex: str | None) -> bool:
    """Whether the staff calls the customer by another surname, or by a term for the other sex ("大姐" to a man)."""
    for said_surname, title in addresses(text):
        if said_surname and said_surname != surname:
            return True
        if sex == "male" and title in _FEMALE or sex == "female" and title in _MALE:
            return True
    return False


def surname_of(name: str) -> str:
    """The surname in how a persona is called: "刘师傅", "王老师", "小周", "老陈"."""
    return name[1] if len(name) > 1 and name[0] in "小老" else name[:1]
