"""How a staff question is put, read from Chinese question grammar rather than topic words: a choice between two
things ("今天办,还是回去商量?"), a yes-or-no proposal ("这样行吗?"), "anything else?", or a question about a relative
("老爷子多大岁数了?"). These are closed classes of the language, so a rule is exact where a classifier would guess.

Reviewers found the customer answering such questions with an empty "没错,是这么回事": it had recognised that a
decision was asked for, but not which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jieba.posseg

_SENTENCE = re.compile(r"[^。!?!?;;\n]+[。!?!?;;\n]?")
_CLAUSE_MARKS = ",,、::;; "
# what comes before the first option and means nothing in the answer: "那您是想", "您看", "跟你确认一下,是"
_LEAD = re.compile(r"^(?:那么?|所以|好的?|嗯|对了|那您?|您?看)?[您你]?(?:看|觉得)?(?:是|就)?(?:想|要不|打算|准备)?")
_PARTICLE = re.compile(r"(?:呢|吗|啊|呀|吧|嘛|(?<!一)哈)?[??。!!~]*$")  # "商量一哈" keeps its 哈
# a yes-or-no tag on the first option ("都给您一百的可以吗,还是要点零钱?") is no part of it, when it is a word of
# its own: the 行 of "您平时用手机银行吗,还是……" is part of 银行 (reviewers read "我看王老师我平时用手机银好")
_YES_NO_TAG = ("可以", "行", "好", "成", "对")
# a term of address before the option ("王老师您平时……", "陈哥,那笔钱……"): the staff speaking to the customer
_VOCATIVE = re.compile(
    "^[\u4e00-\u9fff]{0,2}(?:老师|先生|女士|小姐|师傅|老板|阿姨|叔叔|大姐|大哥|姐|哥|总)[,, ]?(?=[您你])"
)
# the subject the two options share, said once before the first ("这五千是自己用,还是给别人的?"): "自己用"
_SHARED_SUBJECT = re.compile("^([\u4e00-\u9fff]{1,8}?)(?<![还就也都可但要老总倒])是(?!不是)(.{2,})$")
# "您看" / "您觉得" inside an option ("另外三十万您看是放这里"): the staff's hedge, not part of the option
_HEDGE = re.compile("[您你](?:看|觉得)是?")
MAX_OPTION_CHARS = 16  # a longer option is not echoed: the customer would not repeat a whole clause back
# options that put the decision off: the customer who is not convinced yet takes this one
_DEFERRING = re.compile("商量|考虑|想想|再说|以后|下次|下回|回去|先不|不要|不用|不办|算了|暂时|再看|改天")
_YES_NO = re.compile(
    "(?:行吗|好吗|可以吗|行不行|好不好|可不可以|成吗|怎么样|如何|同意吗|接受吗|满意吗|合适吗|您看呢|你看呢|行不|中不中)$"
)
# "还有别的要办吗?", "还有什么不放心的?": winding up, or inviting what is left unsaid
_ANYTHING = "(?:还有|有没有|还要)(?:别的|其他|其它|什么|啥|哪些|哪里|哪儿)?.{0,4}"
_CONCERNS = "问题|要问|不放心|顾虑|担心|疑问|不清楚|不明白"
_ANYTHING_ELSE = re.compile(f"{_ANYTHING}(?:事|业务|要办|需要|{_CONCERNS})")
_ANY_CONCERN = re.compile(f"{_ANYTHING}(?:{_CONCERNS})")
# "还有别的吗?", "还有啥没有?" with nothing after "别的": anything else to do. Heard as a question about its other
# accounts, it recited its savings ("除了这八十万定期,活期还有三万来块"): 3 of 4 such replies judged bad, rounds 15-18
_BARE_ANYTHING_ELSE = re.compile(
    "(?:^|[,,。!! )])(?:好了|那|那您|您|你)?还有(?:别的|其他|其它|啥|什么)?的?(?:吗|没有|没|不|么|伐)?$"
)
# kinship terms by the relation they name (a closed class of the language): a question with one of these asks about
# the relative, not the customer, and is answered by what the customer says of that relative alone
KIN = {
    # "老人家", "大妈", "先生" and "太太" are also said to the customer itself ("老人家您慢点", "陈先生好")
    "parents": "老爷子|老太太|父亲|母亲|父母|爸|(?<![大姑舅姨])妈|爹|老人(?!家)",
    "spouse": "老伴|爱人|老公|老婆|丈夫|妻子|媳妇",
    "partner": "女朋友|男朋友|对象|未婚妻|未婚夫",
    "children": "儿子|女儿|闺女|孩子|小孩|娃|子女|孙子|孙女",
}
RELATIVE = re.compile("|".join(KIN.values()))


@dataclass(frozen=True)
class Choice:
    """The options of an alternative question ("A,还是B?") or of a list to pick from ("一是……二是……三是……,您选一
    个"), in the customer's words (您 → 我, 我 → 你)."""

    first: str
    second: str
    # the subject said once before the first option ("这五千是自己用,还是……": "这五千"), which the persona is matched
    # against with the first option
    subject: str = ""
    more: tuple[str, ...] = ()  # the third option on, of a list

    @property
    def options(self) -> tuple[str, ...]:
        return (self.first, self.second, *self.more)

    def deferring(self) -> str | None:
        """The option that puts the decision off, when exactly one does ("只开基本户" of a list: the least)."""
        pattern = _DEFERRING if not self.more else _LEAST
        off = [o for o in self.options if pattern.search(o)]
        return off[0] if len(off) == 1 else None

    def committing(self) -> str | None:
        """The option that decides now, when the only other one puts it off."""
        off = self.deferring()
        rest = [o for o in self.options if o != off]
        return rest[0] if off is not None and len(rest) == 1 else None


def reflect(text: str) -> str:
    """The staff's words as the customer says them back: 您/你 become 我, the staff's 我 becomes 你."""
    marked = text.replace("我们", "\0").replace("我", "\1")
    marked = marked.replace("您", "我").replace("你", "我")
    return marked.replace("\0", "你们").replace("\1", "你")


def _trim(text: str) -> str:
    return re.sub(f"^[{_CLAUSE_MARKS}]+|[{_CLAUSE_MARKS}]+$", "", text)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _strip_tail(option: str) -> str:
    """The option without its question particle and marks, and without a yes-or-no tag that is a word of its own."""
    bare = _PARTICLE.sub("", option)
    if bare != option and option[len(bare) :].startswith("吗"):
        words = jieba.lcut(bare)
        if words and words[-1] in _YES_NO_TAG:
            bare = bare[: -len(words[-1])]
    return bare


def _clean(option: str) -> str:
    option = _strip_tail(_VOCATIVE.sub("", _trim(option)))
    option = _LEAD.sub("", option) or option
    option = _HEDGE.sub("", option) or option
    return reflect(_trim(option))


_WHICH_OF_THEM = re.compile("哪样|哪个|哪种|哪一个|哪一种|哪一样|选哪")
MAX_WHICH_CHARS = 16
# a list put to the customer to pick from: "您选一个:一是……;二是……;三是……", "这几样您要哪些?"
_PICK_FROM = re.compile("哪样|哪个|哪种|哪一|哪几|哪些|哪只|选一|挑一|指一|选哪|挑哪|要哪|办哪|一二三")
# ...asked: a question, or told to pick ("您选一个", "您说哪个"); "具体哪只多少钱,你下单前看一下" asks nothing
_ADDRESSED_PICK = re.compile("[??]|[吗呢]|[选挑]|指一|[要办说定]哪|一二三")
# "一是", "第二", "3、", "①": the options of a list, counted (spoken without marks: "一 开户 二 网银")
_ORDINAL = re.compile(
    "第[一二三四五](?:个|种|样|只)?(?:是|[,,、::])|(?<![\u4e00-\u9fff])[一二三四五](?:是|、|:|:| )|[1-5][、.:)]|[①②③④⑤]"
)
# the least of a list: only the account, none of the extras ("只开基本户", "都不要", "光开户")
_LEAST = re.compile(f"只|光|都不|{_DEFERRING.pattern}")
_COUNTED = re.compile(
    "([两三四五])(?:只|个|种|样|款|份)(?:产品|基金|方案|存法|办法|选择)?(?:里|当中|中间|之中|,|您|你|都|我)"
)
# only told to pick does a count stand for options on paper ("这两样您确定都要?不要哪样我就撤" picks nothing)
_TOLD_TO_PICK = re.compile("[选挑]|指一")
LIST_SENTENCES = 6  # a list said a sentence an option ("一是……;二是……;三是……;您选一个") before it is asked
ORDINALS = ("第一个", "第二个", "第三个", "第四个", "第五个")


def _listed_options(text: str) -> tuple[str, ...]:
    """The options of a counted list in the text ("一是A;二是B"), each to its first clause mark. (A list named in
    one breath, "A、B和C", is not read: "费率和过往走势都在这儿,您选哪个" names no options.)"""
    marks = list(_ORDINAL.finditer(text))
    if len(marks) < 2:
        return ()
    options = []
    for k, mark in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        options.append(re.split(f"[{_CLAUSE_MARKS}。!?!?]", _trim(text[mark.end() : end]).strip())[0])
    return tuple(options)


def _list_choice(sentences: list[str]) -> Choice | None:
    """The options of a list the turn asks the customer to pick from, in one of its last two sentences or just
    before the list that ends it ("您要哪样?一是……;二是……"), or None."""
    asking = [k for k, s in enumerate(sentences) if _PICK_FROM.search(s) and _ADDRESSED_PICK.search(s)]
    if not asking:
        return None
    after = sentences[asking[-1] + 1 :]
    if len(after) > 1 and not all(_ORDINAL.match(s) for s in after):
        return None
    options = _listed_options(" ".join(sentences[-LIST_SENTENCES:]))
    if not options and _TOLD_TO_PICK.search(sentences[asking[-1]]):
        counted = _COUNTED.search(" ".join(sentences[-3:]))
        if counted:
            # "我给您列了三只……您看选哪个": the options are on paper, not in words; it picks one by its place
            options = ORDINALS[: "两三四五".index(counted.group(1)) + 2]
    named = []
    for n, option in enumerate(options[: len(ORDINALS)]):
        clean = _clean(option)
        named.append(clean if 0 < len(clean) <= MAX_OPTION_CHARS else ORDINALS[n])
    if len(named) < 2 or len(set(named)) < len(named):
        return None
    return Choice(named[0], named[1], more=tuple(named[2:]))


def _choice_sentences(text: str) -> list[str]:
    """Sentences, with one that opens on 还是 joined to the one before ("……先等号;还是现在过去坐坐?")."""
    joined: list[str] = []
    for sentence in _sentences(text):
        if sentence.startswith("还是") and joined:
            joined[-1] += sentence
        else:
            joined.append(sentence)
    return joined


def offered_choice(text: str) -> Choice | None:
    """The options of the alternative question that ends the turn ("A,还是B?", "要还是不要?") or of a list it asks
    the customer to pick from ("一是……二是……您选一个"), or None."""
    sentences = _choice_sentences(text)
    if not sentences:
        return None
    listed = _list_choice(sentences) if "还是" not in " ".join(sentences[-2:]) else None
    return listed or _alternative(sentences)


def _alternative(sentences: list[str]) -> Choice | None:
    """The options of the alternative question ending the turn: a choice followed by another question ("……买的股票型
    还是一次性投的?……你觉得呢?") is not the one to answer."""
    asking = next((s for s in reversed(sentences) if last_question(s)), "")
    if _WHICH_OF_THEM.search(asking) and "还是" not in asking and len(asking) <= MAX_WHICH_CHARS:
        # "……先等号,还是现在过去坐坐?都可以的,您看哪样方便?": the short "which?" points back at the choice
        earlier = [s for s in sentences if re.search("[??]", s) and s != asking]
        asking = earlier[-1] if earlier else asking
    for sentence in reversed(sentences):
        if asking and sentence != asking:
            continue  # sentences after the last question say nothing asked; the last question is the one
        if "还是" not in sentence or not re.search("[??]|呢|吗", sentence):
            return None
        left, right = sentence.rsplit("还是", 1)
        if re.search(f"[{_CLAUSE_MARKS}]", _trim(right)):
            continue  # "我还是没搞清楚,……要不要?": 还是 is an adverb here; the options end the question
        second_raw = re.split(f"[{_CLAUSE_MARKS}]", _trim(right), maxsplit=1)[0]
        second_raw = _strip_tail(second_raw)
        left = _trim(left)
        first_raw = re.split(f"[{_CLAUSE_MARKS}]", left)[-1]
        if second_raw[:1] in ("不", "没") and first_raw.endswith(second_raw[1:]) and len(second_raw) > 1:
            first_raw = second_raw[1:]  # "你是要还是不要?": 要 / 不要
        first, second = _clean(first_raw), _clean(second_raw)
        subject = ""
        shared = _SHARED_SUBJECT.match(first)
        if shared and "是" not in second:
            subject, first = shared.group(1), shared.group(2)
        if not first or not second or first == second:
            return None
        if max(len(first), len(second)) > MAX_OPTION_CHARS:
            return None
        return Choice(first, second, subject)
    return None


def last_question(text: str) -> str:
    """The turn's last sentence that asks something ("?" or a question particle), or ""."""
    # "呢" alone also ends statements ("我给您记着呢"); a sentence-final 吗 asks even without the mark (speech-to-text)
    asking = [s for s in _sentences(text) if re.search("[??]|吗[。!!]?$", s)]
    return asking[-1] if asking else ""


def ends_asking(text: str) -> bool:
    """The turn's last sentence asks something: "周老板慢走哦,再见啦!" after "不辛苦呢" asks nothing at the end."""
    sentences = _sentences(text)
    return bool(sentences) and last_question(text) == sentences[-1]


def _bare(sentence: str) -> str:
    """A sentence without its closing marks, for patterns anchored at its end."""
    return re.sub("[??。!!~ ]+$", "", sentence)


def _last_question_bare(text: str) -> str:
    """The last asking sentence without its closing marks, for patterns anchored at its end."""
    return _bare(last_question(text))


def _last_asking_clause(text: str) -> str:
    """The last clause of the last question ("我在这儿十几年了,您怎么称呼" → "您怎么称呼"): what is asked."""
    return re.split(f"[{_CLAUSE_MARKS}]", _last_question_bare(text))[-1]


def asks_yes_or_no(text: str) -> bool:
    """A proposal put for a yes or a no ("这样分您看行不行?", "今天就办,好吗?")."""
    return bool(_YES_NO.search(_last_question_bare(text)))


_A_NOT_A = re.compile(r"([\u4e00-\u9fff])(?:不|唔)\1")


def asks_a_proposal(text: str) -> bool:
    """A proposal put for a yes or a no, also as a verb asked both ways ("要不要看看理财?", "两样都开不开?"); a
    quality asked both ways ("压力大不大?") asks an opinion, and "是不是" asks whether something is so."""
    if asks_yes_or_no(text):
        return True
    for match in _A_NOT_A.finditer(_last_asking_clause(text)):
        verb = match.group(1)
        if verb not in "是对有" and not jieba.posseg.lcut(verb)[0].flag.startswith(("a", "m")):
            return True
    return False


# "不用今天定,回去想想", "您自己拿主意": the staff leaves the decision for later, or to the customer
_DECISION_OFF = re.compile(
    "不用(?:今天|现在|马上|当场|急着|着急)(?:就)?(?:定|决定|办|拍板|答复|买)"
    "|回去(?:再)?(?:跟[\u4e00-\u9fff]{1,6})?(?:想|考虑|商量|琢磨|合计|掂量|比|对)"
    "|慢慢(?:想|考虑|琢磨|掂量|比)|考虑考虑|想[好清]楚?了?再(?:说|来|定|办|决定|约)"
    "|[您你](?:自己)?拿主意|[您你](?:自己)?[定说]了算|由[您你]定|不催[您你]?|下次再说|以后再说|往后放"
)
# "不着急": only in a sentence about deciding ("定投不着急,想好了再说"), not "您慢慢看,不着急", "您莫急,先坐下",
# "急不急?"
_NO_RUSH = re.compile("(?<!急)(?:不着急|不急|不用急|别着急|莫急)(?![用回走])")
_DECIDING = re.compile("定|拍板|买不买|办不办|考虑|商量|想想|想好")


def gives_time(text: str) -> bool:
    """ "不着急,回去想想再定": the staff leaves the decision for later, or to the customer."""
    if _DECISION_OFF.search(text):
        return True
    return any(_NO_RUSH.search(s) and _DECIDING.search(s) for s in _sentences(text))


# "您一会儿还有事吗?" asks about its afternoon, not whether it has more business here
_LATER = re.compile("一会|待会|等会|等下|回头|下午|晚上|赶时间|着急")


def asks_anything_else(text: str) -> bool:
    """ "还有别的要办吗?", "还有什么不放心的?": the staff is winding up, or asks what is still on the customer's mind."""
    question = last_question(text)
    bare = _BARE_ANYTHING_ELSE.search(re.sub("[?? ]+$", "", question))
    return bool(_ANYTHING_ELSE.search(question) or bare) and not _LATER.search(question)


def asks_for_concerns(text: str) -> bool:
    """ "还有什么不放心的?", "还有什么问题吗?": an invitation to say what still worries the customer."""
    return asks_anything_else(text) and bool(_ANY_CONCERN.search(last_question(text)))


# "有哪里不放心的您直说", "您犹豫啥?", "有啥顾虑尽管说": the staff asks what holds the customer back now. A customer
# asked this answers with its worry or says it has none; its standing dislikes ("最烦被缠着推销") were said instead in 6
# of rounds 10-14's 8 such replies, and judged bad. "您不用担心" and "要是不放心,可以……" ask nothing.
_WORRY_WORDS = re.compile(f"(?:{_CONCERNS}|不[太大]放心|不踏实|犹豫|顾忌)")
_SAY_IT = "直说|尽管说|只管说|说说|讲讲|说出来|提出来"
_OPEN_ASK = re.compile(f"什么|啥|哪|{_SAY_IT}")
_SAY_IT_NOW = re.compile(f"[??]|[吗呢][。!!~]*$|{_SAY_IT}")
# reassurance ("一般没什么问题"), a condition, and an offer for later ("以后有什么问题随时找我", "有不明白的就问我")
# ask nothing now: answered with a worry, they read as a customer who did not listen
_NOT_ASKING_WORRY = re.compile(
    "(?:不用|别|不必|甭|无须|不要)(?:太)?(?:担心|犹豫|顾虑)|没(?:什么|啥|有)?(?:问题|顾虑)|要是|如果|的话"
    "|以后|随时|回头|下次|到时|找我|问我|问她|问他"
)


def invites_concerns(text: str) -> bool:
    """One of the turn's last two sentences asks now what worries the customer or holds it back (see above)."""
    return any(
        _WORRY_WORDS.search(s) and _OPEN_ASK.search(s) and _SAY_IT_NOW.search(s) and not _NOT_ASKING_WORRY.search(s)
        for s in _sentences(text)[-2:]
    )


_DONE_YET = re.compile("([\u4e00-\u9fff]{1,2})了(?:吗|没|没有|冇|冇得|吧|不|么)$")
# "您带了身份证吗?", "存折拿了没有?": the verb with 了 comes before the thing asked about
_DID_IT = re.compile("了[\u4e00-\u9fff]{1,10}(?:吗|没有?)$")
_CONFIRMING = "是吧|对吧|是不是|对不对|没错吧"
_IS_IT = re.compile(f"(?:的吧|{_CONFIRMING})$")
# anywhere in the asking clauses, also with a bare 吗/吧: "……两万,对吗?", "是给您父亲转吧?"
_IS_IT_ANYWHERE = re.compile(f"{_CONFIRMING}|对吗|是吗|吧[??]|对[??]")


# "您说", "阿姨你说哈", "您慢慢讲": the turn ends handing the word to the customer (an imperative to the listener,
# a closed form of the language; "我跟您说", "会给你讲" say something to it); the opposite of a goodbye, which a short
# polite turn can look like to a model
_YOUR_TURN = re.compile(
    "(?<![跟给和对同向帮替让听])[您你](?:先|慢慢|接着|继续|尽管|直接)?(?:说|讲)(?:说|讲|一下)?(?:看|吧|哈|嘛|呀|啊|咯|呗)?$"
)


def invites_to_speak(text: str) -> bool:
    """The turn's last clause gives the customer the word ("好好,您说。")."""
    sentences = _sentences(text)
    if not sentences:
        return False
    last = re.split(f"[{_CLAUSE_MARKS}]", _bare(sentences[-1]))[-1]
    return bool(_YOUR_TURN.search(last))


# "店就是执照上这个地址吗?", "是转到别的银行去吗?": a question whether something is so, put as 是……吗, with no
# question word in it ("是什么" asks what); "您是想今天办吗?" asks a decision, not a fact
_IS_IT_SO = re.compile("是(?!不是)[^,,、]{1,16}(?:吗|吧|么|嘛|啵)$|是不是")
_ASKS_WHAT = re.compile("什么|啥|哪|谁|多少|几|怎么|怎样|咋|为何|多久|多大|多长|多远")
_WANTS = re.compile("是(?:想|要|打算|准备|愿意|同意)")


def asks_whether_so(text: str) -> bool:
    """The turn's last question asks the customer to confirm how things are ("……对吧?", "店就是执照上这个地址吗?"),
    which a short yes answers, not a proposal or a question for a fact."""
    question = _last_asking_clause(text)
    if not question or _ASKS_WHAT.search(question) or _WANTS.search(question) or asks_a_proposal(text):
        return False
    return bool(_IS_IT.search(question) or _IS_IT_SO.search(question))


def asks_if_so(question_text: str) -> bool:
    """The staff asks the customer to confirm what was said ("……对吧?", "是不是……?"), which "对" answers."""
    return bool(_IS_IT_ANYWHERE.search(question_text))


_HAVE = re.compile("^(?:有没有|有冇)|有[\u4e00-\u9fff]{1,8}吗$")


def yes_to(text: str) -> str | None:
    """The short yes a question about a state of things expects, in its own verb: "带齐了没?" → "带齐了", "是法人本人
    来办的吧?" → "对", "有没有带印章?" → "有"; None when the last question is not of that kind."""
    question = _last_asking_clause(text)
    verb = _done_verb(question) if _DONE_YET.search(question) or _DID_IT.search(question) else None
    if verb:
        return verb + "了"
    if _IS_IT.search(question):
        return "对"
    if _HAVE.search(question):
        return "有"
    return None


def _done_verb(question: str) -> str | None:
    """The verb (with its result: 带齐, 拿到) before the question's 了: "带身份证了吗" → 带, "东西拿齐了吧" → 拿齐;
    None when no deed comes before it ("对了,股东还有别人吗?", "八点了店里忙吗?": that 了 asks nothing done)."""
    words = list(jieba.posseg.cut(question[: question.rindex("了")]))
    verbs = [n for n, w in enumerate(words) if w.flag.startswith("v")]
    if not verbs:
        done_yet = _DONE_YET.search(question)  # "好了吗?": the word before 了 is the state asked about
        return done_yet.group(1) if done_yet else None
    after = words[verbs[-1] + 1 :]
    result = "".join(w.word for w in after)
    if len(result) <= 1 and not any(w.flag.startswith(("n", "r")) for w in after):
        return words[verbs[-1]].word + result
    return words[verbs[-1]].word


def warm_up() -> None:
    """Load jieba's tagger now (about 1-2 s, once per process) rather than in the first drill turn that needs it."""
    jieba.posseg.lcut("带齐了")


# "刚才没听清,您多大来着?": the staff says it is asking again. Without such words a question on a topic already
# told asks something beside it ("九千里头房租吃饭花多少?" after the pay): retold facts were judged bad 24 times in 26
# over review rounds 5-11.
_ASKED_AGAIN = re.compile("没听清|没听见|没听到|没记住|没记下|忘了|再.{0,3}[说讲报念]一[遍下次]|重复一[遍下]")


def asks_again(text: str) -> bool:
    """The staff asks again for something it was told ("没听清,您贵姓来着?")."""
    return bool(_ASKED_AGAIN.search(text))


# "印章带来了吗?", "卡带着吧?", "存折在身上不?": whether it has the things with it, which it hands over or says it
# has; never a question about itself (reviewers found "在对公窗口等了二十来分钟" and the savings it holds told instead)
_BROUGHT = re.compile("带(?:了|来|齐|着|上|的|没带)|带没带|在身上|在手上")


def asks_if_brought(question_text: str) -> bool:
    """Every question of the turn (its asking clauses, space-joined) asks whether the customer has brought something
    (its documents, seals, card); "手机银行装了没?存折带着吧?" also asks about its phone."""
    questions = question_text.split()
    return bool(questions) and all(_BROUGHT.search(q) for q in questions)


def asks_about_relative(question: str) -> bool:
    """A question about a relative ("老爷子多大岁数了?"), not about the customer with a relative ("您和老伴住附近吧?")."""
    return bool(RELATIVE.search(question)) and not re.search("[您你](?:和|跟|与|同|们)", question)


def relatives_asked(question: str) -> set[str]:
    """The relations (KIN) a question about a relative names: "您爸是在老家嘛?" → {"parents"}."""
    if not asks_about_relative(question):
        return set()
    return {relation for relation, terms in KIN.items() if re.search(terms, question)}


# What kind of answer a question wants, when its question word says so exactly: a time ("几号发工资?") or a figure
# ("开了几家店?"). A persona fact with nothing of that kind does not answer it: reviewers judged "到手九千左右" to
# "几号发工资?" beside the point, where a customer who has no such fact says it is not sure.
_WANTS_TIME = re.compile("几号|哪天|哪一天|几月|哪个月|什么时候|啥时候|啥时|多会儿|几点|哪会儿")
# "那几台机器", "前几天", "好几年" say "some", and "哪几个字" asks how a name is written: no figure is asked
_WANTS_FIGURE = re.compile(
    "多少|哪一?年|(?<![那这前后头好最哪十0-9])几(?:[个家口位人万千百岁年次天张套笔间趟回台辆]|十|百|千|万)(?!字)|多大(?!的)|多久"
    "|多长|多远"
)
# a point in time or how long ago: "每月到手九千" does not say which day the pay comes; "等了二十来分钟" says when
# it came; a year asked ("哪年生的?", "哪年开的户?") is answered by a figure ("二十六", "十来年了")
_TIME = re.compile(
    "[0-9零一二两三四五六七八九十]+ *[号日月点年岁]|周[一二三四五六日末]|礼拜|星期|早上|晚上|中午|午休|上午|下午|"
    "[昨今明后前去]天|[今明去前]年|刚|马上|过年|[月年]底|[月年]初|节|季度|[上下]个?月|[上下]周|[上下]礼拜|以后|之前|"
    "待会|一会|现在|最近|这两天|早就|白天|夜里|平时|分钟|小时|钟头|半天"
)
_FIGURE = re.compile("[0-9零一二两三四五六七八九十百千万几俩仨半]|好些|不少|没多少|不多")
# a fact that says it has none ("没开手机银行", "从没买过") answers any detail of it
_NONE = re.compile("没|未|从不|不用|不会|不愿|不想|不肯|不买|不炒|不碰")


def wanted_answer(text: str) -> str | None:
    """ "time" or "figure" when the last clause of the turn's last question asks for one, else None ("我在这儿做了
    十几年了,您怎么称呼?" asks a name)."""
    question = _last_asking_clause(text)
    if _WANTS_TIME.search(question):
        return "time"
    if _WANTS_FIGURE.search(question):
        return "figure"
    return None


def gives_answer(kind: str | None, value: str, lines: list[str]) -> bool:
    """Whether a persona fact (its value for the trainer, its spoken lines) can answer a question that wants this
    kind of answer."""
    if kind is None or _NONE.search(value):
        return True
    return any((_TIME if kind == "time" else _FIGURE).search(line) for line in lines)
