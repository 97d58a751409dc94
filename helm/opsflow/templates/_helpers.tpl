{{/* Names and labels shared by every resource of the release. */}}
{{- define "opsflow.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "opsflow.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector of one component (worker or starter): call with (dict "root" $ "component" "worker"). */}}
{{- define "opsflow.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "opsflow.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* A secret variable read from the key of the same name in secrets.existingSecret; never a value. */}}
{{- define "opsflow.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.secrets.existingSecret }}
      key: {{ .name }}
      optional: true
{{- end -}}

{{/* Non-root, read-only root filesystem, no privilege escalation, no capabilities. */}}
{{- define "opsflow.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "opsflow.containerSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Volumes both processes mount: the structured config file, /tmp (the JVM writes there), TLS. */}}
{{- define "opsflow.volumes" -}}
- name: config-file
  configMap:
    name: {{ include "opsflow.fullname" . }}-file
- name: tmp
  emptyDir: {}
{{- if .Values.temporalTls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporalTls.existingSecret }}
{{- end }}
{{- end -}}

{{- define "opsflow.volumeMounts" -}}
- name: config-file
  mountPath: /etc/opsflow
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- if .Values.temporalTls.existingSecret }}
- name: temporal-tls
  mountPath: /etc/opsflow-tls
  readOnly: true
{{- end }}
{{- end -}}

{{- /*
What the worker's Kubernetes activities need, and nothing more: read pods and Deployments, patch
Deployments (scale, memory limits, rollout restart) and their scale subresource. There is no rule
that allows deleting pods. pods/exec only with log cleanup, Services only with failover/blue-green.
*/ -}}
{{- define "opsflow.workerRules" -}}
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, patch]
- apiGroups: [apps]
  resources: [deployments/scale]
  verbs: [get, patch]
{{- if .Values.features.logCleanup }}
- apiGroups: [""]
  resources: [pods/exec]
  verbs: [create]
{{- end }}
{{- if .Values.features.failover }}
- apiGroups: [""]
  resources: [services]
  verbs: [get, patch]
{{- end }}
{{- if .Values.features.httpRouteRouter }}
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes]
  verbs: [get, patch]
{{- end }}
{{- end -}}
