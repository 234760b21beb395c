from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="StyleImage")


@_attrs_define
class StyleImage:
    """
    Attributes:
        url (str):
        strength (float):
    """

    url: str
    strength: float

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        strength = self.strength

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
                "strength": strength,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url")

        strength = d.pop("strength")

        style_image = cls(
            url=url,
            strength=strength,
        )

        return style_image
