"""Per-model signatures of `Krea.generate`, `Krea.generate_and_wait` and their `AsyncKrea` twins.

Written by scripts/regenerate from openapi.yaml: do not edit. Each model's request fields are a
`TypedDict`, and each method has one overload per model, keyed on `model=`, so that a type
checker and an editor know exactly which fields a model has and which values they take. At run
time the fields are checked against the model's schema all the same (plain strings work too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Required, TypedDict, Unpack, overload

if TYPE_CHECKING:
    from krea_api_client.models import (
        AspectRatio,
        Job,
        NanoBanana2AspectRatio,
        Resolution,
        StyleImage,
    )

ModelName = Literal["nano-banana-2", "nano-banana-pro", "nano-banana"]
"""The models of openapi.yaml, one per generation operation."""

DEFAULT_MODEL: ModelName = "nano-banana-2"

JobStatusName = Literal[
    "backlogged",
    "queued",
    "scheduled",
    "processing",
    "sampling",
    "intermediate-complete",
    "completed",
    "failed",
    "cancelled",
]
"""The job statuses, as plain strings (`JobStatus` has them as members)"""


class StyleImageDict(TypedDict, total=False):
    """`StyleImage` as a plain dict."""

    url: str
    strength: Required[float]


class NanoBanana2Fields(TypedDict, total=False):
    """The request fields of nano-banana-2 (`NanoBanana2Request`), its prompt aside."""

    width: float
    """Width of the generated image."""
    height: float
    """Height of the generated image."""
    image_urls: Sequence[str]
    """Image prompts to use for the generation."""
    aspect_ratio: (
        Literal[
            "4:1",
            "21:9",
            "1:1",
            "4:3",
            "3:2",
            "2:3",
            "5:4",
            "4:5",
            "3:4",
            "16:9",
            "9:16",
            "1:4",
            "1:8",
        ]
        | NanoBanana2AspectRatio
    )
    """The aspect ratios of Nano Banana 2, three more than its siblings'."""
    resolution: Literal["1K", "2K", "4K"] | Resolution
    """Default: 1K."""
    style_images: Sequence[StyleImage | StyleImageDict]
    """Image prompts to use for the generation."""


class NanoBananaProFields(TypedDict, total=False):
    """The request fields of nano-banana-pro (`NanoBananaProRequest`), its prompt aside."""

    width: float
    """Width of the generated image."""
    height: float
    """Height of the generated image."""
    image_urls: Sequence[str]
    """Image prompts to use for the generation."""
    aspect_ratio: (
        Literal["21:9", "1:1", "4:3", "3:2", "2:3", "5:4", "4:5", "3:4", "16:9", "9:16"]
        | AspectRatio
    )
    """The aspect ratios of Nano Banana and Nano Banana Pro."""
    resolution: Literal["1K", "2K", "4K"] | Resolution
    """Default: 1K."""
    style_images: Sequence[StyleImage | StyleImageDict]
    """Image prompts to use for the generation."""


class NanoBananaFields(TypedDict, total=False):
    """The request fields of nano-banana (`NanoBananaRequest`), its prompt aside."""

    width: float
    """Width of the generated image."""
    height: float
    """Height of the generated image."""
    image_urls: Sequence[str]
    """Image prompts to use for the generation."""
    aspect_ratio: (
        Literal["21:9", "1:1", "4:3", "3:2", "2:3", "5:4", "4:5", "3:4", "16:9", "9:16"]
        | AspectRatio
    )
    """The aspect ratios of Nano Banana and Nano Banana Pro."""
    style_images: Sequence[StyleImage | StyleImageDict]
    """Image prompts to use for the generation."""


class Generation:
    """`Krea.generate` and `Krea.generate_and_wait`, one overload per model."""

    def _generate(self, prompt: str, options: dict[str, Any]) -> Job:
        raise NotImplementedError  # the client's

    def _generate_and_wait(self, prompt: str, options: dict[str, Any]) -> Job:
        raise NotImplementedError  # the client's

    @overload
    def generate(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana-2"] | None = None,
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Unpack[NanoBanana2Fields],
    ) -> Job: ...
    @overload
    def generate(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana-pro"],
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Unpack[NanoBananaProFields],
    ) -> Job: ...
    @overload
    def generate(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana"],
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Unpack[NanoBananaFields],
    ) -> Job: ...
    def generate(self, prompt: str, **options: Any) -> Job:
        """Starts a job on `model` (default: the spec's `x-default-model`) and returns it, pending.

        `fields` are the model's request fields, checked against its schema before anything is
        sent; `extra_body` is merged into the JSON as is, untyped."""
        return self._generate(prompt, options)

    @overload
    def generate_and_wait(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana-2"] | None = None,
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float = ...,
        poll_interval: float | None = None,
        on_update: Callable[[Job], None] | None = None,
        **fields: Unpack[NanoBanana2Fields],
    ) -> Job: ...
    @overload
    def generate_and_wait(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana-pro"],
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float = ...,
        poll_interval: float | None = None,
        on_update: Callable[[Job], None] | None = None,
        **fields: Unpack[NanoBananaProFields],
    ) -> Job: ...
    @overload
    def generate_and_wait(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana"],
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float = ...,
        poll_interval: float | None = None,
        on_update: Callable[[Job], None] | None = None,
        **fields: Unpack[NanoBananaFields],
    ) -> Job: ...
    def generate_and_wait(self, prompt: str, **options: Any) -> Job:
        """`generate` (with the same keywords), then `wait` (`timeout`, `poll_interval`,
        `on_update`, as `wait` takes them)."""
        return self._generate_and_wait(prompt, options)


class AsyncGeneration:
    """`AsyncKrea.generate` and `AsyncKrea.generate_and_wait`, one overload per model."""

    async def _generate(self, prompt: str, options: dict[str, Any]) -> Job:
        raise NotImplementedError  # the client's

    async def _generate_and_wait(self, prompt: str, options: dict[str, Any]) -> Job:
        raise NotImplementedError  # the client's

    @overload
    async def generate(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana-2"] | None = None,
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Unpack[NanoBanana2Fields],
    ) -> Job: ...
    @overload
    async def generate(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana-pro"],
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Unpack[NanoBananaProFields],
    ) -> Job: ...
    @overload
    async def generate(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana"],
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Unpack[NanoBananaFields],
    ) -> Job: ...
    async def generate(self, prompt: str, **options: Any) -> Job:
        """Starts a job on `model` (default: the spec's `x-default-model`) and returns it, pending.

        `fields` are the model's request fields, checked against its schema before anything is
        sent; `extra_body` is merged into the JSON as is, untyped."""
        return await self._generate(prompt, options)

    @overload
    async def generate_and_wait(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana-2"] | None = None,
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float = ...,
        poll_interval: float | None = None,
        on_update: Callable[[Job], None] | None = None,
        **fields: Unpack[NanoBanana2Fields],
    ) -> Job: ...
    @overload
    async def generate_and_wait(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana-pro"],
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float = ...,
        poll_interval: float | None = None,
        on_update: Callable[[Job], None] | None = None,
        **fields: Unpack[NanoBananaProFields],
    ) -> Job: ...
    @overload
    async def generate_and_wait(
        self,
        prompt: str,
        *,
        model: Literal["nano-banana"],
        webhook_url: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float = ...,
        poll_interval: float | None = None,
        on_update: Callable[[Job], None] | None = None,
        **fields: Unpack[NanoBananaFields],
    ) -> Job: ...
    async def generate_and_wait(self, prompt: str, **options: Any) -> Job:
        """`generate` (with the same keywords), then `wait` (`timeout`, `poll_interval`,
        `on_update`, as `wait` takes them)."""
        return await self._generate_and_wait(prompt, options)
