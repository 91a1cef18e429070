"""Tests of the local API emulator, over real HTTP against real server processes."""
