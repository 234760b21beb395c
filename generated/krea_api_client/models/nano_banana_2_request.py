from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.nano_banana_2_aspect_ratio import NanoBanana2AspectRatio
from ..models.resolution import Resolution
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.style_image import StyleImage


T = TypeVar("T", bound="NanoBanana2Request")


@_attrs_define
class NanoBanana2Request:
    """The body of a Nano Banana 2 generation request. Properties not listed here are rejected.
    The deprecated camelCase aliases (see `x-krea-deprecated-field-aliases` on the operation) are
    accepted for compatibility until their sunset date and are not part of this schema.

        Attributes:
            prompt (str):
            width (float | Unset): Width of the generated image. Krea publishes no range; a width must be positive.
            height (float | Unset): Height of the generated image. Krea publishes no range; a height must be positive.
            image_urls (list[str] | Unset): Image prompts to use for the generation. If provided, style images are ignored.
            aspect_ratio (NanoBanana2AspectRatio | Unset): The aspect ratios of Nano Banana 2, three more than its
                siblings'.
            resolution (Resolution | Unset):
            style_images (list[StyleImage] | Unset): Image prompts to use for the generation.
    """

    prompt: str
    width: float | Unset = UNSET
    height: float | Unset = UNSET
    image_urls: list[str] | Unset = UNSET
    aspect_ratio: NanoBanana2AspectRatio | Unset = UNSET
    resolution: Resolution | Unset = UNSET
    style_images: list[StyleImage] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        width = self.width

        height = self.height

        image_urls: list[str] | Unset = UNSET
        if not isinstance(self.image_urls, Unset):
            image_urls = self.image_urls

        aspect_ratio: str | Unset = UNSET
        if not isinstance(self.aspect_ratio, Unset):
            aspect_ratio = self.aspect_ratio.value

        resolution: str | Unset = UNSET
        if not isinstance(self.resolution, Unset):
            resolution = self.resolution.value

        style_images: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.style_images, Unset):
            style_images = []
            for style_images_item_data in self.style_images:
                style_images_item = style_images_item_data.to_dict()
                style_images.append(style_images_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
            }
        )
        if width is not UNSET:
            field_dict["width"] = width
        if height is not UNSET:
            field_dict["height"] = height
        if image_urls is not UNSET:
            field_dict["image_urls"] = image_urls
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if resolution is not UNSET:
            field_dict["resolution"] = resolution
        if style_images is not UNSET:
            field_dict["style_images"] = style_images

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.style_image import StyleImage  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        width = d.pop("width", UNSET)

        height = d.pop("height", UNSET)

        image_urls = cast(list[str], d.pop("image_urls", UNSET))

        _aspect_ratio = d.pop("aspect_ratio", UNSET)
        aspect_ratio: NanoBanana2AspectRatio | Unset
        if isinstance(_aspect_ratio, Unset):
            aspect_ratio = UNSET
        else:
            aspect_ratio = NanoBanana2AspectRatio(_aspect_ratio)

        _resolution = d.pop("resolution", UNSET)
        resolution: Resolution | Unset
        if isinstance(_resolution, Unset):
            resolution = UNSET
        else:
            resolution = Resolution(_resolution)

        _style_images = d.pop("style_images", UNSET)
        style_images: list[StyleImage] | Unset = UNSET
        if _style_images is not UNSET:
            style_images = []
            for style_images_item_data in _style_images:
                style_images_item = StyleImage.from_dict(style_images_item_data)

                style_images.append(style_images_item)

        nano_banana_2_request = cls(
            prompt=prompt,
            width=width,
            height=height,
            image_urls=image_urls,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            style_images=style_images,
        )

        return nano_banana_2_request
