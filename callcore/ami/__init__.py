"""AMI: the panoramisk connection thread and the pure call tracker."""
