"""What the dialog answers, independent of how the webhook renders it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    title: str
    description: str = ""
    url: str = ""
    image: str = ""


@dataclass(frozen=True)
class Reply:
    """One passive reply: text, news articles, an image by media id, or nothing."""

    text: str | None = None
    articles: tuple[Article, ...] = field(default_factory=tuple)
    media_id: str | None = None

    @property
    def empty(self) -> bool:
        return self.text is None and not self.articles and self.media_id is None


NO_REPLY = Reply()
