"""Test PBX: a real Asterisk 22 in a Debian sid chroot with sipp phones (see docs/pbx.md)."""
