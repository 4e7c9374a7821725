{{- define "sretl.name" -}}{{ .Release.Name }}{{- end }}

{{- define "sretl.labels" -}}
app.kubernetes.io/name: stream-retail-etl
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "sretl.selector" -}}
app.kubernetes.io/name: stream-retail-etl
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "sretl.bootstrap" -}}
{{- if .Values.strimzi.enabled -}}
{{ .Values.strimzi.clusterName }}-kafka-bootstrap:9092
{{- else -}}
{{ required "kafka.bootstrapServers is required when strimzi.enabled=false" .Values.kafka.bootstrapServers }}
{{- end -}}
{{- end }}

{{- define "sretl.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end }}

{{/* the pod security every container of the chart runs with */}}
{{- define "sretl.podSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "sretl.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ['ALL']
{{- end }}

{{/* environment shared by every component: config from the ConfigMap, the database URL from its Secret */}}
{{- define "sretl.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "sretl.name" . }}-config
env:
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ .Values.database.existingSecret }}
        key: {{ .Values.database.secretKey }}
{{- end }}
