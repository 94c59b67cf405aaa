"""Is there a CJK font for fontconfig? (Without one every Chinese character prints as a box.)"""
import shutil
import subprocess


class FontsMissing(RuntimeError):
    """No CJK font is installed: documents cannot be rendered."""


MESSAGE = (
    "未找到中文字体，无法生成文书 PDF。请安装 fonts-noto-cjk（Debian/Ubuntu: "
    "apt-get install fonts-noto-cjk），或安装仿宋、小标宋、黑体等字体后重试。\n"
    "No CJK font found by fontconfig (`fc-list :lang=zh` is empty): documents cannot be rendered. "
    "Install fonts-noto-cjk (Debian/Ubuntu: apt-get install fonts-noto-cjk) or a licensed "
    "FangSong/SimHei font, then restart the process."
)


def cjk_families() -> list[str]:
    """Font families fontconfig knows with Chinese coverage (`fc-list :lang=zh family`)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                         timeout=30, check=False).stdout
    return sorted({name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()})


def check_fonts() -> None:
    """Raise FontsMissing (message in Chinese and English) when no CJK font is available."""
    if not cjk_families():
        raise FontsMissing(MESSAGE)
