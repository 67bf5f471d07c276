"""Schema of the authored knowledge base (scripts_kb/topics/*.yaml).

One YAML file per topic of the taxonomy; every entry inherits the file's `product`.
Validation is strict (unknown fields are refused) so a typo in a field name is an error, not silently ignored.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TOPICS: dict[str, str] = {
    "fund_sip": "基金定投",
    "wealth": "理财产品",
    "deposit": "定期存款、大额存单",
    "insurance": "保险",
    "credit_card": "信用卡",
    "mobile_banking": "手机银行、网银、电子渠道",
    "vip": "贵宾客户服务",
    "settlement_card": "单位结算卡",
    "corporate_ebank": "企业网上银行",
    "loan": "个人贷款、房贷、经营贷",
    "self_service": "自助设备分流",
    "appointment": "预约服务",
    "service_standard": "柜面服务七步",
    "complaint": "投诉受理",
    "customer_id": "客户识别、销售线索",
    "referral": "转介与交接",
    "sales_process": "客户经理销售流程",
    "meeting": "晨会、夕会、周例会",
    "coaching": "赞赏性指导、建设性指导",
}

# Topics that are products a staff member sells: they need the full sales kit.
PRODUCT_TOPICS = frozenset(
    {
        "fund_sip",
        "wealth",
        "deposit",
        "insurance",
        "credit_card",
        "mobile_banking",
        "vip",
        "settlement_card",
        "corporate_ebank",
        "loan",
        "self_service",
        "appointment",
    }
)

Kind = Literal["fab", "one_liner", "objection", "service_step", "process", "case"]

MIN_QUESTIONS_PER_TOPIC = 8
MIN_ONE_LINERS = 3
MIN_OBJECTIONS = 4


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Entry(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+(-[a-z0-9_]+)*$")
    kind: Kind
    title: str = Field(min_length=2)
    text: str = Field(min_length=10)
    product: str = ""  # filled from the file's `product`
    questions: list[str] = []  # example staff questions, indexed with the entry
    # kind-specific fields
    feature: Optional[str] = None  # fab
    advantage: Optional[str] = None  # fab
    benefit: Optional[str] = None  # fab
    segment: Optional[str] = None  # one_liner: the customer type it fits
    objection: Optional[str] = None  # objection: what the customer says
    order: Optional[int] = None  # service_step / process: position in the sequence
    wording: list[str] = []  # service_step / process: standard phrases to say
    steps: list[str] = []  # process: the steps in order

    @model_validator(mode="after")
    def _kind_fields(self) -> "Entry":
        required = {
            "fab": ("feature", "advantage", "benefit"),
            "one_liner": ("segment",),
            "objection": ("objection",),
            "service_step": ("order",),
        }.get(self.kind, ())
        missing = [name for name in required if getattr(self, name) in (None, "")]
        if missing:
            raise ValueError(f"kind '{self.kind}' needs field(s): {', '.join(missing)}")
        return self


class TopicFile(Strict):
    product: str
    name: str
    synonyms: list[str] = Field(min_length=1)
    target_customers: list[str] = []
    compliance_notes: list[str] = []
    entries: list[Entry] = Field(min_length=1)

    @field_validator("product")
    @classmethod
    def _known_topic(cls, value: str) -> str:
        if value not in TOPICS:
            raise ValueError(f"unknown topic id '{value}'; known: {', '.join(TOPICS)}")
        return value

    @model_validator(mode="after")
    def _sales_kit_complete(self) -> "TopicFile":
        for entry in self.entries:
            entry.product = self.product
        questions = sum(len(e.questions) for e in self.entries)
        if questions < MIN_QUESTIONS_PER_TOPIC:
            raise ValueError(f"topic needs at least {MIN_QUESTIONS_PER_TOPIC} example questions, has {questions}")
        if self.product in PRODUCT_TOPICS:
            kinds = [e.kind for e in self.entries]
            problems = []
            if kinds.count("fab") < 1:
                problems.append("a fab entry")
            if kinds.count("one_liner") < MIN_ONE_LINERS:
                problems.append(f"at least {MIN_ONE_LINERS} one_liner entries")
            if kinds.count("objection") < MIN_OBJECTIONS:
                problems.append(f"at least {MIN_OBJECTIONS} objection entries")
            if not self.target_customers:
                problems.append("target_customers")
            if not self.compliance_notes:
                problems.append("compliance_notes")
            if problems:
                raise ValueError("product topic is missing " + "; ".join(problems))
        return self
