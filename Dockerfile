# WageClue's container image: multi-stage, the ASP.NET Core runtime image only at the end, running as the image's
# non-root "app" user. Build from the repository root:  docker build -t wageclue .
# (Not built on the machine this was written on, which has no container engine; see README, "Containers".)

# 1. The pages' two libraries (ECharts, mermaid) from npm, pinned by package-lock.json.
FROM node:22-bookworm-slim AS web-assets
WORKDIR /src
COPY src/WageClue.Server/package.json src/WageClue.Server/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts --loglevel=error \
 && mkdir -p lib/echarts lib/mermaid \
 && cp node_modules/echarts/dist/echarts.min.js lib/echarts/ \
 && cp node_modules/mermaid/dist/mermaid.min.js lib/mermaid/

# 2. Restore (cached while no project file changes), then publish.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props WageClue.sln ./
COPY src/WageClue.Server/WageClue.Server.csproj src/WageClue.Server/
COPY src/WageClue.Workflows/WageClue.Workflows.csproj src/WageClue.Workflows/
RUN dotnet restore src/WageClue.Server/WageClue.Server.csproj
COPY src/ src/
COPY workflows/ workflows/
# With the libraries in place the build's WebAssets target (which would run npm) is skipped.
COPY --from=web-assets /src/lib/ src/WageClue.Server/wwwroot/lib/
RUN dotnet publish src/WageClue.Server/WageClue.Server.csproj -c Release -o /app --no-restore

# 3. The runtime: ICU (InvariantGlobalization is off) and tzdata (Asia/Shanghai) come with the Debian image.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The outbox's journal of delivered emails must outlive a restart: mount a volume here (see deploy/compose.yaml).
RUN mkdir -p /var/lib/wageclue/journal && chown "$APP_UID" /var/lib/wageclue/journal
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS=8080 \
    Email__Outbox__JournalFolder=/var/lib/wageclue/journal
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "WageClue.Server.dll"]
