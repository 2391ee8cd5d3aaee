"""The audit log of coordinators' and admins' actions: who verified, hid, limited, froze or
brokered what, when and why; visible to admins and exportable."""
