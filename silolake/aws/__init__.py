"""AWS vocabulary: derived names and their rules, ARNs, Terraform text, versions."""
