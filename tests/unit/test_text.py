import pytest

from assistant.errors import InputError
from assistant.text import check_message, input_problem, normalize


def test_traditional_and_full_width_become_simplified_half_width():
    assert normalize("基金定投怎麼介紹？") == "基金定投怎么介绍?"
    assert normalize("  客戶說   怕虧 ") == "客户说 怕亏"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("😀😀", "no_words"),
        ("?!。,", "no_words"),
        ("字" * 501, "too_long"),
        (None, "bad_type"),
        (123, "bad_type"),
        ("基金定投", None),
        ("hello", None),
        ("ATM在哪", None),
    ],
)
def test_input_problem(text, problem):
    assert input_problem(text, 500) == problem


def test_check_message_refuses_politely_in_chinese():
    with pytest.raises(InputError) as info:
        check_message("字" * 5000, 500)
    assert info.value.code == "too_long"
    assert "500字以内" in info.value.user_message
    assert check_message(" 定投  怎麼說 ", 500) == "定投 怎么说"
