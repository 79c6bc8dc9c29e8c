"""What every CloudFormation model claimsctl adds to moto shares: its type and physical id as class
attributes, Fn::GetAtt dispatch from a table of names, and (for types replaced on every change) the update.

Mixins, so each model stays a direct CloudFormationModel subclass (moto registers only those).
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException


class Attributes:
    """`CFN_TYPE` is the resource type; `PHYSICAL_ID` names the Python attribute that is its physical id
    (what Ref gives); `NAME_PROPERTY` the property CloudFormation generates a name for, if any.
    `ATTRIBUTES` lists the names Fn::GetAtt may ask for; `_attribute` answers them (by default, the Python
    attribute of that name)."""

    CFN_TYPE: str = ""
    PHYSICAL_ID: str = ""
    NAME_PROPERTY: str = ""
    ATTRIBUTES: tuple[str, ...] = ()

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.CFN_TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @property
    def physical_resource_id(self) -> str:
        return str(getattr(self, self.PHYSICAL_ID))

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self._attribute(attribute_name)

    def _attribute(self, name: str) -> Any:
        return getattr(self, name)


class ReplacedOnUpdate:
    """An update deletes the resource and creates it anew from the new properties (for types the emulator
    cannot change in place; the engine reports such a change as a replacement)."""

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                        cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Any:
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(  # type: ignore[attr-defined]
            new_resource_name, cloudformation_json, account_id, region_name)
