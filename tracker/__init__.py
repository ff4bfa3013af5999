"""SEND Partnership Action Tracker."""
