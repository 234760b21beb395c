from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="StyleImage")


@_attrs_define
class StyleImage:
    """An image prompt and how strongly it steers the style; only `strength` is required.

    Attributes:
        strength (float):
        url (str | Unset):
    """

    strength: float
    url: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        strength = self.strength

        url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "strength": strength,
            }
        )
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        strength = d.pop("strength")

        url = d.pop("url", UNSET)

        style_image = cls(
            strength=strength,
            url=url,
        )

        return style_image
