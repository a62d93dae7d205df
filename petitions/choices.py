"""Vocabulary of petition items: channels, purposes, statuses, routes, outcomes, and the allowed transitions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import Role

ITEM_SUBJECT = "petitions.item"


class Channel(models.TextChoices):
    """信访形式 (《信访工作条例》第十七条, plus channels real systems record)."""

    VISIT = "visit", _("走访")
    LETTER = "letter", _("来信")
    PHONE = "phone", _("电话")
    FAX = "fax", _("传真")
    ONLINE = "online", _("网上信访")
    MAILBOX = "mailbox", _("领导信箱")
    MOBILE = "mobile", _("手机/微信")


class Purpose(models.TextChoices):
    """信访目的."""

    DEMAND = "demand", _("求决")
    SUGGESTION = "suggestion", _("意见建议")
    APPEAL = "appeal", _("申诉")
    ACCUSATION = "accusation", _("揭发控告")
    INQUIRY = "inquiry", _("咨询")
    OTHER = "other", _("其他")


class ItemType(models.TextChoices):
    """分类处理 (第二十九至三十一条)."""

    SUGGESTION = "suggestion", _("建议意见类")
    ACCUSATION = "accusation", _("检举控告类")
    APPEAL_DEMAND = "appeal_demand", _("申诉求决类")


PURPOSE_TYPE = {
    Purpose.SUGGESTION: ItemType.SUGGESTION,
    Purpose.ACCUSATION: ItemType.ACCUSATION,
    Purpose.DEMAND: ItemType.APPEAL_DEMAND,
    Purpose.APPEAL: ItemType.APPEAL_DEMAND,
    Purpose.INQUIRY: ItemType.SUGGESTION,
    Purpose.OTHER: ItemType.APPEAL_DEMAND,
}


class Route(models.TextChoices):
    """The six routes of 第三十一条 for 申诉求决类; only ORDINARY runs the 60-day handling clock."""

    LITIGATION = "litigation", _("诉讼、检察、公安等法定程序（涉法涉诉）")
    ARBITRATION = "arbitration", _("仲裁程序")
    PARTY_APPEAL = "party_appeal", _("党员申诉程序")
    ADMINISTRATIVE = "administrative", _("行政复议、裁决、确认、许可、处罚等行政程序")
    DUTY = "duty", _("依法履行职责程序")
    ORDINARY = "ordinary", _("信访程序（普通办理）")


# What the petitioner is told when an item belongs in another statutory procedure (不予受理告知书).
STATUTORY_CHANNEL = {
    Route.LITIGATION: _("请依照诉讼、检察、公安等法定程序，向人民法院、人民检察院或公安机关提出。"),
    Route.ARBITRATION: _("请依法向有管辖权的仲裁机构申请仲裁。"),
    Route.PARTY_APPEAL: _("请依照党员申诉程序，向所在党组织或纪检监察机关提出。"),
    Route.ADMINISTRATIVE: _("请依法申请行政复议、行政裁决、行政确认、行政许可或行政处罚等程序处理。"),
    Route.DUTY: _("请向依法负有相应职责的行政机关提出履职申请。"),
    Route.ORDINARY: _(""),
}


class Status(models.TextChoices):
    """The public vocabulary of a provincial system; "overdue" is shown from the deadlines, not a status."""

    REGISTERED = "registered", _("已登记待转送")
    ASSIGNED = "assigned", _("受理申请审查中")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ACCEPTED = "accepted", _("受理（办理中）")
    REPLIED = "replied", _("已作出处理意见")
    REVIEW = "review", _("复查")
    REVIEWED = "reviewed", _("提出复查意见")
    RECHECK = "recheck", _("复核")
    CLOSED = "closed", _("办结")
    NO_FURTHER = "no_further", _("不再受理")
    REPEAT = "repeat", _("重复件（并入原件）")


TERMINAL_STATUSES = frozenset({Status.NOT_ACCEPTED, Status.CLOSED, Status.NO_FURTHER, Status.REPEAT})
OPEN_STATUSES = frozenset(set(Status.values) - TERMINAL_STATUSES)


class Outcome(models.TextChoices):
    """信访处理意见书 (第三十二条); 部分支持 is a local extension and not offered."""

    SUPPORTED = "supported", _("予以支持")
    EXPLAINED = "explained", _("解释说明")
    NOT_SUPPORTED = "not_supported", _("不予支持")


class Satisfaction(models.TextChoices):
    """The petitioner's evaluation of the reply."""

    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class ReviewDecision(models.TextChoices):
    """复查 / 复核 decisions."""

    UPHELD = "upheld", _("维持")
    REVOKED = "revoked", _("撤销")
    VARIED = "varied", _("变更")


class CloseReason(models.TextChoices):
    """Why an item ended (终结/办结)."""

    RECHECKED = "rechecked", _("复核终结")
    REVIEW_WINDOW_LAPSED = "review_window_lapsed", _("超期未申请复查")
    RECHECK_WINDOW_LAPSED = "recheck_window_lapsed", _("超期未申请复核")
    ACCEPTED_REPLY = "accepted_reply", _("信访人认可处理意见")
    MEDIATION = "mediation", _("调解协议")
    SETTLEMENT = "settlement", _("和解协议")
    ANSWERED_ON_SITE = "answered_on_site", _("当场答复（咨询类）")
    WITHDRAWN = "withdrawn", _("信访人撤回")


class DocumentKind(models.TextChoices):
    """Documents the life cycle produces, each numbered and delivered."""

    ACCEPTANCE = "acceptance", _("受理告知书")
    NON_ACCEPTANCE = "non_acceptance", _("不予受理告知书")
    EXTENSION = "extension", _("延期告知书")
    REPLY = "reply", _("信访处理意见书")
    REVIEW = "review", _("复查意见书")
    RECHECK = "recheck", _("复核意见书")


DOCUMENT_ABBREVIATION = {
    DocumentKind.ACCEPTANCE: "受",
    DocumentKind.NON_ACCEPTANCE: "不受",
    DocumentKind.EXTENSION: "延",
    DocumentKind.REPLY: "处",
    DocumentKind.REVIEW: "复查",
    DocumentKind.RECHECK: "复核",
}


class DeliveryMethod(models.TextChoices):
    """How a document reached the petitioner."""

    IN_PERSON = "in_person", _("当面送达")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")
    NOTICE = "notice", _("公告送达")


class AttachmentKind(models.TextChoices):
    """What an uploaded file is."""

    LETTER_SCAN = "letter_scan", _("来信扫描件")
    PHOTO = "photo", _("照片")
    EVIDENCE = "evidence", _("证明材料")
    OTHER = "other", _("其他")


class Marker(models.TextChoices):
    """Flags a clerk sets at intake."""

    COLLECTIVE = "collective", _("集体访")
    SKIP_LEVEL = "skip_level", _("越级访")
    TO_BEIJING = "to_beijing", _("进京访")
    TO_PROVINCE = "to_province", _("赴省访")
    THREAT = "threat", _("扬言")
    LONG_STANDING = "long_standing", _("积案")
    LITIGATION = "litigation", _("涉法涉诉")
    ABNORMAL = "abnormal", _("异常访")


class Action(models.TextChoices):
    """Every state change an item can go through; the API names them the same way."""

    REGISTER = "register", _("登记")
    ASSIGN = "assign", _("转送交办")
    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予受理")
    OBJECT = "object", _("退回异议")
    REQUEST_EXTENSION = "request-extension", _("申请延期")
    EXTEND = "extend", _("批准延期")
    REPLY = "reply", _("出具处理意见")
    REWORK = "rework", _("退回重办")
    EVALUATE = "evaluate", _("满意度评价")
    REQUEST_REVIEW = "request-review", _("申请复查")
    REVIEW_DECISION = "review-decision", _("复查决定")
    REQUEST_RECHECK = "request-recheck", _("申请复核")
    HEARING_START = "hearing-start", _("听证开始（中止计时）")
    HEARING_END = "hearing-end", _("听证结束（恢复计时）")
    RECHECK_DECISION = "recheck-decision", _("复核决定")
    CLOSE = "close", _("办结")
    DELIVER = "deliver", _("送达")


class Reach(models.TextChoices):
    """How a step's unit relates to the actor's: at or above it, strictly above it, or the very unit."""

    AT_OR_ABOVE = "at_or_above", _("本单位或上级")
    ABOVE = "above", _("上级")
    OWN = "own", _("本单位")


@dataclass(frozen=True)
class Transition:
    """Which statuses an action starts from, where it leads (None: status unchanged), who may take it, and from
    which of the item's units: the actor's unit must stand to one of `standing` as `reach` says (strictly above
    for the body asked for 复查/复核). `verb` names the audit action in the past tense."""

    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    standing: tuple[str, ...]
    verb: str
    reach: Reach = Reach.AT_OR_ABOVE


OFFICE_ROLES = frozenset({Role.CLERK, Role.SECTION_HEAD})
UNIT_ROLES = frozenset({Role.HANDLER, Role.SECTION_HEAD})
HIGHER_ROLES = frozenset({Role.CLERK, Role.HANDLER, Role.SECTION_HEAD})
HEADS = frozenset({Role.SECTION_HEAD})
EXTENSION_APPROVERS = frozenset({Role.SECTION_HEAD, Role.LEADER})  # 本机关、单位负责人
# Who files material on an item and records a document's delivery: the people who handle items, not leaders or
# supervisors, who read.
FILING_ROLES = HIGHER_ROLES

REGISTERING = ("registered_unit",)
RESPONSIBLE = ("responsible_unit",)
REVIEWING = ("review_unit",)
RECHECKING = ("recheck_unit",)

TRANSITIONS: dict[str, Transition] = {
    Action.ASSIGN: Transition(
        frozenset({Status.REGISTERED}), Status.ASSIGNED, OFFICE_ROLES, REGISTERING, "assigned"
    ),
    Action.ACCEPT: Transition(
        frozenset({Status.ASSIGNED}), Status.ACCEPTED, UNIT_ROLES, RESPONSIBLE, "accepted"
    ),
    Action.REJECT: Transition(
        frozenset({Status.ASSIGNED}), Status.NOT_ACCEPTED, UNIT_ROLES, RESPONSIBLE, "rejected"
    ),
    Action.OBJECT: Transition(
        frozenset({Status.ASSIGNED}), Status.REGISTERED, UNIT_ROLES, RESPONSIBLE, "objected"
    ),
    Action.REQUEST_EXTENSION: Transition(
        frozenset({Status.ACCEPTED}), None, UNIT_ROLES, RESPONSIBLE, "extension_requested"
    ),
    # 第三十四条: an extension is approved by the head of the body that handles the item, no one above it.
    Action.EXTEND: Transition(
        frozenset({Status.ACCEPTED}), None, EXTENSION_APPROVERS, RESPONSIBLE, "extended", reach=Reach.OWN
    ),
    Action.REPLY: Transition(
        frozenset({Status.ACCEPTED}), Status.REPLIED, UNIT_ROLES, RESPONSIBLE, "replied"
    ),
    Action.REWORK: Transition(
        frozenset({Status.REPLIED}),
        Status.ACCEPTED,
        HEADS,
        RESPONSIBLE,
        "sent_back_for_rework",
        reach=Reach.OWN,
    ),
    Action.EVALUATE: Transition(
        frozenset({Status.REPLIED, Status.REVIEWED, Status.CLOSED}),
        None,
        OFFICE_ROLES | UNIT_ROLES,
        (*RESPONSIBLE, *REGISTERING),
        "evaluated",
    ),
    Action.REQUEST_REVIEW: Transition(
        frozenset({Status.REPLIED}),
        Status.REVIEW,
        HIGHER_ROLES,
        RESPONSIBLE,
        "review_requested",
        reach=Reach.ABOVE,
    ),
    Action.REVIEW_DECISION: Transition(
        frozenset({Status.REVIEW}), Status.REVIEWED, HIGHER_ROLES, REVIEWING, "review_decided"
    ),
    Action.REQUEST_RECHECK: Transition(
        frozenset({Status.REVIEWED}),
        Status.RECHECK,
        HIGHER_ROLES,
        REVIEWING,
        "recheck_requested",
        reach=Reach.ABOVE,
    ),
    Action.HEARING_START: Transition(
        frozenset({Status.RECHECK}), None, HIGHER_ROLES, RECHECKING, "hearing_started"
    ),
    Action.HEARING_END: Transition(
        frozenset({Status.RECHECK}), None, HIGHER_ROLES, RECHECKING, "hearing_ended"
    ),
    Action.RECHECK_DECISION: Transition(
        frozenset({Status.RECHECK}), Status.CLOSED, HIGHER_ROLES, RECHECKING, "recheck_decided"
    ),
    Action.CLOSE: Transition(
        frozenset({Status.REGISTERED, Status.ACCEPTED, Status.REPLIED, Status.REVIEWED}),
        Status.CLOSED,
        OFFICE_ROLES | UNIT_ROLES,
        (*REGISTERING, *RESPONSIBLE, *REVIEWING),
        "closed",
    ),
}

# Deadline kinds (accountability.DeadlineRule keys) of the petition life cycle; their rules are declared in
# petitions/deadline_rules.py. A kind whose plain name is also a Status or DocumentKind member ends in _CLOCK:
# ACCEPTANCE_CLOCK is the 受理告知 period, DocumentKind.ACCEPTANCE the 受理告知书 that meets it.
ROUTING = "petition.routing"
ACCEPTANCE_CLOCK = "petition.acceptance"
OBJECTION = "petition.objection"
HANDLING = "petition.handling"
REVIEW_WINDOW = "petition.review_window"
REVIEW_CLOCK = "petition.review"
RECHECK_WINDOW = "petition.recheck_window"
RECHECK_CLOCK = "petition.recheck"


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of `value` among `choices` (an enum lookup, not a scan of the field's choices as
    get_FOO_display makes on every call), or the value itself if it is not one of them."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
