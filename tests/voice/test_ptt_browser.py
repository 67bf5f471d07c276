"""Push-to-talk in a real browser: headless Chromium records a fixture WAV through its fake microphone, voice.js posts
it to /api/asr (with the CSRF header, signed in), and the text lands in the message box or is sent hands-free.

The app's Content-Security-Policy stays on (no eval, no inline script): waits use selectors, not JS predicates."""

from pathlib import Path

import pytest

from bench.figures import AUDIO_DIR
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve
from tests.conftest import PASSWORD
from tests.voice.conftest import ensure_voice_blueprint

HERE = Path(__file__).parent
NO_CHINESE_VOICE = "此浏览器没有中文语音,客户的话以文字显示"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt install chromium)"
    ),
]


@pytest.fixture(scope="module")
def server(isolated_var, people):
    """The app as deployed (login and CSRF on) plus the test page, on a free loopback port in a thread."""
    from flask import Response, send_file
    from flask_wtf.csrf import generate_csrf
    from jinja2.utils import htmlsafe_json_dumps

    from assistant.drill.scenarios import persona_voices
    from assistant.web import create_app

    app = ensure_voice_blueprint(create_app({"TESTING": True, "RATELIMIT_ENABLED": False}))
    page = (HERE / "ptt_page.html").read_text(encoding="utf-8")

    def voice_test_page():
        """The page with a fresh CSRF token and the customers' voices as the chat page renders them (tojson)."""
        voices = str(htmlsafe_json_dumps(persona_voices()))
        return Response(
            page.replace("{{ csrf }}", generate_csrf()).replace("{{ persona_voices }}", voices), mimetype="text/html"
        )

    app.add_url_rule("/voice-test", "voice_test_page", voice_test_page)
    app.add_url_rule("/voice-test.js", "voice_test_script", lambda: send_file(HERE / "ptt_page.js"))
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def page(server, playwright_driver):
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[
            "--headless=new",
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={AUDIO_DIR / 'greet.wav'}",
        ],
    )
    try:
        page = browser.new_context().new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{server}/login")
        page.fill("#username", "staff_a")
        page.fill("#password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{server}/voice-test")
        yield page
    finally:
        browser.close()


def hold(page, seconds: float, keyboard: bool = False):
    """Press the push-to-talk button (mouse, or space bar while focused), speak for `seconds`, release."""
    if keyboard:
        page.focus("[data-ptt]")
        page.keyboard.down("Space")
        page.wait_for_timeout(seconds * 1000)
        page.keyboard.up("Space")
    else:
        page.hover("[data-ptt]")
        page.mouse.down()
        page.wait_for_selector("#voice-status:has-text('正在录音')")  # the microphone is open
        page.wait_for_timeout(seconds * 1000)
        page.mouse.up()


def test_hold_speak_release_puts_the_text_in_the_box(page):
    hold(page, 4)
    page.wait_for_selector("#voice-status:has-text('已识别'), #voice-status.error")
    assert page.text_content("#voice-status") == "已识别,可以修改后发送。"
    assert "欢迎" in page.input_value("#message")
    assert page.evaluate("document.body.dataset.submitted") is None  # not sent until staff press 发送


def test_hands_free_sends_at_once_and_space_bar_works(page):
    page.fill("#message", "")
    page.check("#hands-free")
    hold(page, 4, keyboard=True)
    page.wait_for_selector("body[data-submitted], #voice-status.error", state="attached")
    assert not page.text_content("#voice-status")  # no error shown
    assert "欢迎" in page.evaluate("document.body.dataset.submitted")


def test_customer_voice_per_persona_or_a_clear_fallback(page):
    settings = page.evaluate(
        "['retiree_maturing_deposit', 'fund_sip_young_worker', 'angry_queue_complaint']"
        ".map(p => window.assistantVoice.personaSettings(p))"
    )
    retiree, young, angry = settings
    assert retiree["rate"] < 1 < young["rate"] and retiree["pitch"] < young["pitch"] and angry["rate"] > 1
    unknown = page.evaluate("window.assistantVoice.personaSettings('no_such_scenario')")
    assert unknown == {"pitch": 1, "rate": 1, "gender": None}  # the voice's own, as a scenario without persona.voice
    picked = page.evaluate("""[
        ['angry_queue_complaint', [{name: 'Microsoft Huihui', lang: 'zh-CN'}, {name: 'Microsoft Kangkang', lang: 'zh-CN'},
                                   {name: 'Google 粤語(香港)', lang: 'zh-HK'}]],
        ['retiree_maturing_deposit', [{name: 'Google 粤語(香港)', lang: 'zh-HK'}, {name: 'Tingting', lang: 'zh_CN'}]],
        ['fund_sip_young_worker', [{name: 'Samantha', lang: 'en-US'}]],
    ].map(([persona, list]) => (window.assistantVoice.pickVoice(persona, list) || {name: null}).name)""")
    assert picked == ["Microsoft Kangkang", "Tingting", None]
    if page.evaluate("window.assistantVoice.voices().length"):
        pytest.skip("this Chromium has a Chinese voice: the no-voice fallback cannot be shown")
    page.evaluate(
        "document.dispatchEvent(new CustomEvent('assistant:reply', "
        "{detail: {text: '小同志,这钱稳当吗?', persona: 'retiree_maturing_deposit', speak: true}}))"
    )
    page.wait_for_selector(f"#voice-status:text-is('{NO_CHINESE_VOICE}')")


def test_customer_line_is_spoken_with_the_persona_voice(page, server):
    """With a Chinese voice present (stubbed: headless Chromium has none), the reply is spoken in the persona's way."""
    other = page.context.new_page()
    try:
        other.goto(f"{server}/voice-test")
        said = other.evaluate("""() => new Promise(resolve => {
            const voices = [{name: 'Microsoft Huihui', lang: 'zh-CN'}, {name: 'Microsoft Kangkang', lang: 'zh-CN'}];
            const said = [];
            window.SpeechSynthesisUtterance = function (text) { this.text = text; };
            Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
                getVoices: () => voices, cancel() {}, addEventListener() {},
                speak: u => said.push({text: u.text, voice: u.voice.name, rate: u.rate, pitch: u.pitch})}});
            const reply = (text, persona) => document.dispatchEvent(
                new CustomEvent('assistant:reply', {detail: {text, persona, speak: true}}));
            reply('你们管不管?', 'angry_queue_complaint');
            document.getElementById('speak-replies').checked = false;
            reply('这句不读', 'angry_queue_complaint');
            setTimeout(() => resolve(said), 100);
        })""")
        assert said == [{"text": "你们管不管?", "voice": "Microsoft Kangkang", "rate": 1.25, "pitch": 1.05}]
    finally:
        other.close()


def test_the_chat_page_hands_voice_js_the_persona_voices_from_the_scenario_files(page, server):
    """The real chat page, Content-Security-Policy on: voice.js reads the voices the server rendered from the YAML."""
    from assistant.drill.scenarios import persona_voices

    chat = page.context.new_page()
    try:
        chat.goto(f"{server}/chat")
        chat.wait_for_selector("#chat-form")
        settings = chat.evaluate(
            "ids => Object.fromEntries(ids.map(id => [id, window.assistantVoice.personaSettings(id)]))",
            list(persona_voices()),
        )
        assert settings == persona_voices()
    finally:
        chat.close()
