"""Schema of the authored knowledge base (scripts_kb/taxonomy.yaml and scripts_kb/topics/*.yaml).

One YAML file per topic of the taxonomy; every entry inherits the file's `product`.
Validation is strict (unknown fields are refused) so a typo in a field name is an error, not silently ignored.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator


class TopicName(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=2)
    sells: bool = False  # a product staff sell: its topic file needs the full sales kit


class Taxonomy(BaseModel):
    """scripts_kb/taxonomy.yaml: the topic ids (CONTRACTS section 1), so adding a topic is a line of YAML."""

    model_config = ConfigDict(extra="forbid")

    topics: list[TopicName] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "Taxonomy":
        ids = [t.id for t in self.topics]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate topic id")
        return self

    @property
    def names(self) -> dict[str, str]:
        return {t.id: t.name for t in self.topics}

    @property
    def products(self) -> frozenset[str]:
        return frozenset(t.id for t in self.topics if t.sells)


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
    def _known_topic(cls, value: str, info: ValidationInfo) -> str:
        taxonomy = _taxonomy(info)
        if value not in taxonomy.names:
            raise ValueError(f"unknown topic id '{value}'; known: {', '.join(taxonomy.names)} (taxonomy.yaml)")
        return value

    @model_validator(mode="after")
    def _sales_kit_complete(self, info: ValidationInfo) -> "TopicFile":
        for entry in self.entries:
            entry.product = self.product
        questions = sum(len(e.questions) for e in self.entries)
        if questions < MIN_QUESTIONS_PER_TOPIC:
            raise ValueError(f"topic needs at least {MIN_QUESTIONS_PER_TOPIC} example questions, has {questions}")
        if self.product in _taxonomy(info).products:
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


def _taxonomy(info: ValidationInfo) -> Taxonomy:
    """Topic files are validated against the taxonomy loaded with them (the loader passes it as context)."""
    taxonomy = (info.context or {}).get("taxonomy")
    if not isinstance(taxonomy, Taxonomy):
        raise ValueError("topic files are validated with the taxonomy (assistant.content.loader)")
    return taxonomy
