#!/usr/bin/python
# Documentation stub: the `daxlayout` task runs entirely as an action plugin on the controller
# (action_plugins/daxlayout.py); nothing of this file runs on the target.
DOCUMENTATION = r'''
module: daxlayout
short_description: Apply a daxlayout .dax layout to a host (capture, plan, apply, verify)
description:
  - Captures the host's device-dax facts with a read-only sh program, plans the layout on the
    controller with the daxlayout CLI, runs the plan's writes as one sh program under the host's
    lock, and verifies the host equals the predicted state. Needs only sh and sysfs on the target.
options:
  layout: {description: Path of the .dax layout on the controller., required: true, type: path}
  cli: {description: The daxlayout command on the controller (e.g. "daxlayout" or "node /opt/daxlayout/daxlayout.cjs")., type: str, default: daxlayout}
  inventory: {description: Inventory file to match hosts "PATTERN" blocks against (default: the host's group_names)., type: path}
  prune: {description: Remove devices of the layout's regions that it does not list., type: bool, default: false}
  lock_timeout: {description: Seconds to wait for another apply's lock on the host., type: int, default: 30}
  capture_dir: {description: Keep each host's capture dump in this controller directory., type: path}
'''
