"""Go-live safety: what production refuses to start with (``production``), files created private
(``files``), and the size and alias limits a YAML file must keep before it is parsed
(``yaml_limits``)."""
