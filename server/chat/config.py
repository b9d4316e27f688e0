"""This process's chat settings, set once at app assembly (service.configure)."""

from __future__ import annotations

from dataclasses import dataclass

from server.chat.urls import UrlBox


@dataclass(slots=True)
class _Config:
    box: UrlBox | None = None
    public_url: str | None = None  # PUBLIC_URL: the links' base; None: messages without link
    any_host: bool = False  # CHAT_ALLOW_ANY_HOST: tests post to a local receiver
    timeout: float = 10.0  # seconds a webhook has to answer

    def sealer(self) -> UrlBox:
        if self.box is None:
            raise RuntimeError("server.chat.service.configure was not called")
        return self.box


CONFIG = _Config()
