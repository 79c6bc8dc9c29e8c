"""What every CloudFormation model claimsctl adds to moto shares: Fn::GetAtt dispatch from a table of names.

A mixin, so each model stays a direct CloudFormationModel subclass (moto registers only those).
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException


class Attributes:
    """`ATTRIBUTES` lists the names Fn::GetAtt may ask for; `_attribute` answers them (by default, the
    Python attribute of that name). No name property: CloudFormation generates none for these types."""

    ATTRIBUTES: tuple[str, ...] = ()

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self._attribute(attribute_name)

    def _attribute(self, name: str) -> Any:
        return getattr(self, name)

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""
